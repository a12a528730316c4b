//go:build linux

package moto

import "syscall"

// A test binary killed by a timeout never runs its cleanups; the kernel
// then kills moto for us.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
