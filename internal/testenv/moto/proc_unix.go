//go:build unix

package moto

import (
	"os/exec"
	"syscall"
)

// moto_server may be a pyenv shim or a wrapper script: a process group lets
// Stop kill Python too, not just the wrapper.
func procAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(a)
	return a
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
