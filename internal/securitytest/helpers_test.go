package securitytest

import "github.com/lakemap/lakemap/internal/testenv/awsrecord"

func awsActions(l *lab) []string { return awsrecord.Actions(l.rec.Calls()) }
