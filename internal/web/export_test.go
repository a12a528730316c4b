package web

// The browser helpers, for the journeys in package web_test: they drive
// the whole server (internal/webpanels, which imports this package).
var (
	Tab      = tab
	Step     = step
	SignIn   = signIn
	WaitTrue = waitTrue
	TextOf   = text
	Must     = must
	Cheap    = cheap
)

const TestPassword = testPassword
