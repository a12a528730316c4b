package awsconn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Some endpoints answer errors in a shape the SDK's parser misses: moto
// wraps query-protocol errors in <Errors> (the SDK then reports
// "UnknownError") and refuses JSON-protocol calls with an XML body (a
// deserialization error). AWS-compatible proxies do similar things. These
// middlewares keep the error body of a failed call and, when the SDK could
// not read a code from it, read it themselves, so that classification and
// the retryer see the real code (AccessDenied, InvalidClientTokenId,
// Throttling...).

const maxErrorBody = 64 << 10

type errorBodyKey struct{}

type errorBody struct{ b []byte }

func recoverErrorCodes(stack *middleware.Stack) error {
	if _, ok := stack.Deserialize.Get("OperationDeserializer"); !ok {
		return nil
	}
	// Before the deserializer is outside it (sees its error); after is
	// inside (sees the raw response first).
	if err := stack.Deserialize.Insert(middleware.DeserializeMiddlewareFunc("lakemapRecoverErrorCode", recoverCode),
		"OperationDeserializer", middleware.Before); err != nil {
		return err
	}
	return stack.Deserialize.Insert(middleware.DeserializeMiddlewareFunc("lakemapKeepErrorBody", keepErrorBody),
		"OperationDeserializer", middleware.After)
}

func recoverCode(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	body := &errorBody{}
	ctx = middleware.WithStackValue(ctx, errorBodyKey{}, body)
	out, md, err := next.HandleDeserialize(ctx, in)
	if err == nil || len(body.b) == 0 {
		return out, md, err
	}
	// An HTML page is checked whatever the decoder made of it: the XML
	// protocols' decoders fail on HTML with a plain error, not a
	// DeserializationError.
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.StatusCode == http.StatusInternalServerError && looksLikeHTML(body.b) {
		return out, md, &smithy.GenericAPIError{Code: codeEndpointHTMLError,
			Message: "the endpoint answered with an HTML error page, as emulators do for operations they do not implement",
			Fault:   smithy.FaultServer}
	}
	if !unreadableError(err) {
		return out, md, err
	}
	if code, msg := xmlErrorInfo(body.b); code != "" {
		return out, md, &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
	}
	return out, md, err
}

func unreadableError(err error) bool {
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "UnknownError"
}

func keepErrorBody(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	body, _ := middleware.GetStackValue(ctx, errorBodyKey{}).(*errorBody)
	if err != nil || !ok || body == nil || resp.StatusCode < 300 || resp.Body == nil {
		return out, md, err
	}
	b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if rerr != nil {
		return out, md, err
	}
	body.b = b
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return out, md, err
}
