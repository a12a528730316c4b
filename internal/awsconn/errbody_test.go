package awsconn

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Error bodies the SDK cannot parse (moto's shapes) still yield their code.
func TestUnreadableErrorBodiesKeepTheirCode(t *testing.T) {
	const motoXML = `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Errors><Error><Code>%s</Code><Message>%s</Message><Type>Sender</Type></Error></Errors><RequestId>req-9</RequestId></ErrorResponse>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Header.Get("X-Amz-Target") != "" { // Glue: XML where JSON belongs
			fmt.Fprintf(w, motoXML, "AccessDenied", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: glue:GetDatabases")
			return
		}
		fmt.Fprintf(w, motoXML, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}))
	t.Cleanup(srv.Close)
	s := fakeSession(t, srv.URL, Config{}, Options{MaxAttempts: 1})

	err := Classify(callerIdentity(s), "checking the AWS identity")
	if !apperr.Is(err, apperr.Unauthenticated) || !strings.Contains(err.Error(), "STS GetCallerIdentity returned InvalidClientTokenId (HTTP 403") {
		t.Errorf("STS: %v (kind %v)", err, apperr.KindOf(err))
	}

	_, err = s.Glue().GetDatabases(context.Background(), &glue.GetDatabasesInput{})
	err = Classify(err, "listing Glue databases")
	want := "listing Glue databases: access denied: Glue GetDatabases returned AccessDenied (HTTP 403"
	if !apperr.Is(err, apperr.AccessDenied) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "glue:GetDatabases") {
		t.Errorf("Glue: %v (kind %v), want %q", err, apperr.KindOf(err), want)
	}
}
