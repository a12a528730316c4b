package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/chromedp/chromedp"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/web"
)

// TestScreenshots saves a PNG of every page at desktop and phone width
// into $LAKEMAP_SCREENSHOTS (`make screenshots` sets docs/screenshots;
// elsewhere a temporary directory, so that the pages it walks keep
// rendering). The pages are those of the whole server against moto, as a
// person sees them: a project with a member, a scanned estate, a Glue
// connection connected from the form, tested and scanned, and a token.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LAKEMAP_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	web.Must(t, os.MkdirAll(dir, 0o755))
	ctx := web.Tab(t)
	motoSrv := moto.Start(t)
	cust := moto.CustomerRole(t, motoSrv, "210987654321")
	seedGlue(t, cust.AWS)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")

	s := newStack(t)
	base := s.srv.URL
	link, err := s.auth.EnsureSetupCode(context.Background())
	web.Must(t, err)
	save := func(name string, width int64) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		web.Must(t, err)
		web.Must(t, os.WriteFile(filepath.Join(dir, name+"-"+strconv.FormatInt(width, 10)+".png"), png, 0o644))
	}
	// shoot opens path at each width; shootHere keeps the page the last
	// step left (a form's answer cannot be opened again by its URL).
	shoot := func(name, path string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			web.Step(t, ctx, name, chromedp.EmulateViewport(w, 800), chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			save(name, w)
		}
	}
	shootHere := func(name string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			web.Step(t, ctx, name, chromedp.EmulateViewport(w, 800), chromedp.WaitVisible(chromedp.CSS("main")))
			save(name, w)
		}
		web.Step(t, ctx, "desktop width", chromedp.EmulateViewport(1280, 800))
	}

	shoot("setup", link)
	alpha := s.admin(t, "ann", "alpha")
	s.member(t, alpha, "bob", catalog.RoleViewer)
	s.member(t, alpha, "ann", catalog.RoleOwner)
	web.SeedCatalog(t, s.st, alpha.ID)
	shoot("signin", "/signin")
	web.Step(t, ctx, "desktop width", chromedp.EmulateViewport(1280, 800))
	web.SignIn(t, ctx, base+"/signin", "ann")

	web.Step(t, ctx, "connect a Glue role",
		chromedp.Navigate(base+"/projects/alpha/integrations/aws/glue"),
		// The project has a Glue connection: the onboarding is folded.
		chromedp.Click(chromedp.CSS("#another")),
		chromedp.WaitVisible(chromedp.CSS("#f-roleArn")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "sales"),
		chromedp.SendKeys(chromedp.CSS("#f-roleArn"), cust.RoleARN),
		chromedp.SendKeys(chromedp.CSS("#f-schedule"), "0 3 * * *"),
		chromedp.Click(chromedp.CSS("form.stack details:last-of-type summary")),
		chromedp.SendKeys(chromedp.CSS("#f-endpointUrl"), motoSrv.URL()),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form:has(input[value=sales]) button[value=scan]`)))
	web.Step(t, ctx, "test the connection",
		chromedp.Click(chromedp.CSS(`form:has(input[value=sales]) button[value=test]`)),
		chromedp.WaitVisible(chromedp.CSS("table.report")))
	shootHere("aws-glue-test")
	web.Step(t, ctx, "scan it",
		chromedp.Click(chromedp.CSS(`form:has(input[value=sales]) button[value=scan]`)),
		chromedp.WaitVisible(chromedp.CSS("#scan-progress")))
	web.WaitTrue(t, ctx, "the scan ends", `document.getElementById("scan-status").hasAttribute("data-outcome")`)
	shootHere("aws-glue-scan")
	createToken(t, ctx, base, "alpha", "claude")

	for _, p := range []struct{ name, path string }{
		{"home", "/"}, {"search", "/search?q=orders"}, {"entity", "/e/lake.sales.orders"}, {"bucket", "/e/lake.datalake"},
		{"browse", "/browse"}, {"projects", "/projects"}, {"project", "/projects/alpha"},
		{"aws-glue", "/projects/alpha/integrations/aws/glue?connection=sales"},
		{"aws-s3", "/projects/alpha/integrations/aws/s3?access=ReadWrite"}, {"aws-datazone", "/projects/alpha/integrations/aws/datazone"},
		{"agents", "/projects/alpha/agents"}, {"not-found", "/" + strings.Repeat("x", 8)},
	} {
		shoot(p.name, p.path)
	}
}

// seedGlue gives the customer's account a small Glue estate to scan.
func seedGlue(t *testing.T, cfg aws.Config) {
	t.Helper()
	col := func(name, typ, comment string) gluetypes.Column {
		return gluetypes.Column{Name: aws.String(name), Type: aws.String(typ), Comment: aws.String(comment)}
	}
	moto.GlueDatabase(t, cfg, gluetypes.DatabaseInput{Name: aws.String("sales"), Description: aws.String("Orders and customers")},
		gluetypes.TableInput{Name: aws.String("orders"), Description: aws.String("Customer orders, one row per order line"), TableType: aws.String("EXTERNAL_TABLE"),
			PartitionKeys: []gluetypes.Column{col("dt", "string", "order day")},
			StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://datalake/sales/orders/"), Columns: []gluetypes.Column{
				col("order_id", "bigint", "order number"), col("customer_id", "bigint", "Kundennummer"), col("amount", "decimal(12,2)", "")}}},
		gluetypes.TableInput{Name: aws.String("customers"), Description: aws.String("One row per customer"), TableType: aws.String("EXTERNAL_TABLE"),
			StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://datalake/sales/customers/"), Columns: []gluetypes.Column{
				col("customer_id", "bigint", ""), col("adresse", "struct<street:string,city:string>", "Kundenadresse")}}})
}

// member adds an existing or new user to a project with a role.
func (s *stack) member(t *testing.T, p catalog.Project, name string, role catalog.Role) {
	t.Helper()
	ctx := context.Background()
	u, err := s.st.GetUser(ctx, name)
	if err != nil {
		u = s.user(t, name, false)
	}
	web.Must(t, s.st.PutMember(ctx, catalog.Membership{ProjectID: p.ID, UserID: u.ID, Role: role, Created: time.Now()}))
}
