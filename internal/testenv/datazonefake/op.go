package datazonefake

// Operation names the DataZone operation of a REST request (method and
// escaped path), as the SDK's HTTP bindings define it: recorders in front
// of the fake (awsrecord) use it to turn a request into its IAM action.
func Operation(method, escapedPath string) (string, bool) {
	rt, _, ok := match(method, escapedPath)
	return rt.op, ok
}
