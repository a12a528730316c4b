// Package securitytest holds the suites of issue 15 that cross every
// surface: least privilege on every path to AWS (each recorded call held
// against the `lakemap onboard` policy of its connection), tenant
// boundaries (every AssumeRole carries the connection's role and its
// project's External ID) and the canary sweep (no secret in any output,
// log, error or in the database file). The package has no code of its own:
// the harness is internal/testenv/awsrecord.
package securitytest
