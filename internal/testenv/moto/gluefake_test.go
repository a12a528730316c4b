package moto

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func TestFakeUserDefinedFunctions(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "400000000001")
	other := CustomerRole(t, srv, "400000000002")
	pager := NewGluePager(t, srv.URL(), 2)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))
	ctx := context.Background()

	for _, name := range []string{"to_upper", "to_lower", "fmt"} {
		_, err := client.CreateUserDefinedFunction(ctx, &glue.CreateUserDefinedFunctionInput{
			DatabaseName: aws.String("db"),
			FunctionInput: &gluetypes.UserDefinedFunctionInput{
				FunctionName: aws.String(name), ClassName: aws.String("com.example." + name),
				OwnerName: aws.String("analytics"), OwnerType: gluetypes.PrincipalTypeUser,
				ResourceUris: []gluetypes.ResourceUri{{ResourceType: gluetypes.ResourceTypeJar, Uri: aws.String("s3://jars/udf.jar")}},
			},
		})
		if err != nil {
			t.Fatalf("creating %s: %v", name, err)
		}
	}
	_, err := client.CreateUserDefinedFunction(ctx, &glue.CreateUserDefinedFunctionInput{
		DatabaseName: aws.String("db"), FunctionInput: &gluetypes.UserDefinedFunctionInput{FunctionName: aws.String("fmt")},
	})
	var exists *gluetypes.AlreadyExistsException
	if !errorsAs(err, &exists) {
		t.Errorf("creating fmt twice: err = %v, want AlreadyExistsException", err)
	}

	got, err := client.GetUserDefinedFunction(ctx, &glue.GetUserDefinedFunctionInput{DatabaseName: aws.String("db"), FunctionName: aws.String("to_upper")})
	if err != nil {
		t.Fatal(err)
	}
	fn := got.UserDefinedFunction
	if aws.ToString(fn.ClassName) != "com.example.to_upper" || aws.ToString(fn.CatalogId) != cust.AccountID ||
		fn.CreateTime == nil || len(fn.ResourceUris) != 1 || fn.OwnerType != gluetypes.PrincipalTypeUser {
		t.Errorf("GetUserDefinedFunction = %+v", fn)
	}

	list := func(client *glue.Client, pattern string) []string {
		var names []string
		pg := glue.NewGetUserDefinedFunctionsPaginator(client, &glue.GetUserDefinedFunctionsInput{DatabaseName: aws.String("db"), Pattern: aws.String(pattern)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range out.UserDefinedFunctions {
				names = append(names, aws.ToString(f.FunctionName))
			}
		}
		return names
	}
	pager.ClearRequests()
	if names := list(client, "*"); !slices.Equal(names, []string{"fmt", "to_lower", "to_upper"}) {
		t.Errorf("pattern *: %v", names)
	}
	if n := pager.Count("GetUserDefinedFunctions"); n != 2 {
		t.Errorf("3 functions at page size 2 took %d calls, want 2", n)
	}
	if names := list(client, "to_u*|FMT"); !slices.Equal(names, []string{"fmt", "to_upper"}) {
		t.Errorf("pattern to_u*|FMT: %v", names)
	}
	if names := list(glue.NewFromConfig(pager.AWSConfig(other.AWS)), "*"); len(names) != 0 {
		t.Errorf("another account sees functions %v", names)
	}

	if _, err := client.DeleteUserDefinedFunction(ctx, &glue.DeleteUserDefinedFunctionInput{DatabaseName: aws.String("db"), FunctionName: aws.String("fmt")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.GetUserDefinedFunction(ctx, &glue.GetUserDefinedFunctionInput{DatabaseName: aws.String("db"), FunctionName: aws.String("fmt")})
	var missing *gluetypes.EntityNotFoundException
	if !errorsAs(err, &missing) {
		t.Errorf("deleted function: err = %v, want EntityNotFoundException", err)
	}
}

func TestFakeColumnStatistics(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "400000000003")
	pager := NewGluePager(t, srv.URL(), 100)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))
	ctx := context.Background()
	analyzed := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	_, err := client.UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{
		DatabaseName: aws.String("db"), TableName: aws.String("orders"),
		ColumnStatisticsList: []gluetypes.ColumnStatistics{{
			ColumnName: aws.String("amount"), ColumnType: aws.String("bigint"), AnalyzedTime: &analyzed,
			StatisticsData: &gluetypes.ColumnStatisticsData{
				Type:                     gluetypes.ColumnStatisticsTypeLong,
				LongColumnStatisticsData: &gluetypes.LongColumnStatisticsData{NumberOfNulls: 3, NumberOfDistinctValues: 42, MaximumValue: 900},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.GetColumnStatisticsForTable(ctx, &glue.GetColumnStatisticsForTableInput{
		DatabaseName: aws.String("DB"), TableName: aws.String("orders"), ColumnNames: []string{"amount", "id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ColumnStatisticsList) != 1 || len(out.Errors) != 1 {
		t.Fatalf("got %d statistics and %d errors, want 1 and 1", len(out.ColumnStatisticsList), len(out.Errors))
	}
	st := out.ColumnStatisticsList[0]
	if d := st.StatisticsData.LongColumnStatisticsData; d.NumberOfDistinctValues != 42 || d.MaximumValue != 900 || !st.AnalyzedTime.Equal(analyzed) {
		t.Errorf("statistics read back = %+v", d)
	}
	if e := out.Errors[0]; aws.ToString(e.ColumnName) != "id" || aws.ToString(e.Error.ErrorCode) != "EntityNotFoundException" {
		t.Errorf("error for id = %+v", e)
	}

	del := &glue.DeleteColumnStatisticsForTableInput{DatabaseName: aws.String("db"), TableName: aws.String("orders"), ColumnName: aws.String("amount")}
	if _, err := client.DeleteColumnStatisticsForTable(ctx, del); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteColumnStatisticsForTable(ctx, del)
	var missing *gluetypes.EntityNotFoundException
	if !errorsAs(err, &missing) {
		t.Errorf("deleting twice: err = %v, want EntityNotFoundException", err)
	}
}

func TestFakeDataQualityRulesets(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "400000000004")
	pager := NewGluePager(t, srv.URL(), 1)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))
	ctx := context.Background()

	create := func(name, table, rules string) error {
		_, err := client.CreateDataQualityRuleset(ctx, &glue.CreateDataQualityRulesetInput{
			Name: aws.String(name), Description: aws.String("checks " + table), Ruleset: aws.String(rules),
			TargetTable: &gluetypes.DataQualityTargetTable{DatabaseName: aws.String("sales"), TableName: aws.String(table)},
			Tags:        map[string]string{"team": "data"},
		})
		return err
	}
	for _, r := range []struct{ name, table, rules string }{
		{"orders_basic", "orders", `Rules = [ RowCount > 0, IsComplete "id" ]`},
		{"orders_values", "orders", `Rules = [ ColumnValues "status" in ["new", "paid"], IsUnique "id", Completeness "x" > 0.9 ]`},
		{"customers", "customers", `Rules = [ IsComplete "email" ]`},
	} {
		if err := create(r.name, r.table, r.rules); err != nil {
			t.Fatalf("creating %s: %v", r.name, err)
		}
	}
	var exists *gluetypes.AlreadyExistsException
	if err := create("customers", "customers", "Rules = []"); !errorsAs(err, &exists) {
		t.Errorf("creating customers twice: err = %v, want AlreadyExistsException", err)
	}

	got, err := client.GetDataQualityRuleset(ctx, &glue.GetDataQualityRulesetInput{Name: aws.String("orders_basic")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.TargetTable.TableName) != "orders" || got.CreatedOn == nil || aws.ToString(got.Ruleset) != `Rules = [ RowCount > 0, IsComplete "id" ]` {
		t.Errorf("GetDataQualityRuleset = %+v", got)
	}
	upd, err := client.UpdateDataQualityRuleset(ctx, &glue.UpdateDataQualityRulesetInput{Name: aws.String("orders_basic"), Ruleset: aws.String("Rules = [ RowCount > 10 ]")})
	if err != nil || aws.ToString(upd.Ruleset) != "Rules = [ RowCount > 10 ]" || aws.ToString(upd.Description) != "checks orders" {
		t.Errorf("UpdateDataQualityRuleset = %+v, %v", upd, err)
	}

	counts := map[string]int32{}
	pg := glue.NewListDataQualityRulesetsPaginator(client, &glue.ListDataQualityRulesetsInput{
		Filter: &gluetypes.DataQualityRulesetFilterCriteria{TargetTable: &gluetypes.DataQualityTargetTable{DatabaseName: aws.String("sales"), TableName: aws.String("orders")}},
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Rulesets {
			counts[aws.ToString(r.Name)] = aws.ToInt32(r.RuleCount)
		}
	}
	if want := map[string]int32{"orders_basic": 1, "orders_values": 3}; !mapsEqual(counts, want) {
		t.Errorf("rulesets of sales.orders with rule counts = %v, want %v", counts, want)
	}

	if _, err := client.DeleteDataQualityRuleset(ctx, &glue.DeleteDataQualityRulesetInput{Name: aws.String("customers")}); err != nil {
		t.Fatal(err)
	}
	_, err = client.GetDataQualityRuleset(ctx, &glue.GetDataQualityRulesetInput{Name: aws.String("customers")})
	var missing *gluetypes.EntityNotFoundException
	if !errorsAs(err, &missing) {
		t.Errorf("deleted ruleset: err = %v, want EntityNotFoundException", err)
	}
}

func TestFakeSearchTables(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "400000000005")
	ctx := context.Background()
	seed := glue.NewFromConfig(cust.AWS)
	for _, db := range []string{"sales", "hr"} {
		createDatabase(t, cust.AWS, db)
	}
	for _, tbl := range []struct{ db, name, desc, col string }{
		{"sales", "orders", "customer orders", "order_id"},
		{"sales", "refunds", "money back", "order_ref"},
		{"sales", "stores", "shops", "city"},
		{"hr", "people", "staff", "name"},
	} {
		_, err := seed.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(tbl.db), TableInput: &gluetypes.TableInput{
			Name: aws.String(tbl.name), Description: aws.String(tbl.desc),
			StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String(tbl.col), Type: aws.String("string")}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	pager := NewGluePager(t, srv.URL(), 1)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))

	for _, tc := range []struct {
		name string
		in   glue.SearchTablesInput
		want []string
	}{
		{"all", glue.SearchTablesInput{}, []string{"hr.people", "sales.orders", "sales.refunds", "sales.stores"}},
		{"text in name or column", glue.SearchTablesInput{SearchText: aws.String("ORDER")}, []string{"sales.orders", "sales.refunds"}},
		{"filter", glue.SearchTablesInput{Filters: []gluetypes.PropertyPredicate{{Key: aws.String("DatabaseName"), Value: aws.String("hr"), Comparator: gluetypes.ComparatorEquals}}}, []string{"hr.people"}},
		{"sorted", glue.SearchTablesInput{
			SearchText:   aws.String("s"),
			SortCriteria: []gluetypes.SortCriterion{{FieldName: aws.String("Name"), Sort: gluetypes.SortDescending}},
		}, []string{"sales.stores", "sales.refunds", "hr.people", "sales.orders"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for pg := glue.NewSearchTablesPaginator(client, &tc.in); pg.HasMorePages(); {
				out, err := pg.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, tbl := range out.TableList {
					got = append(got, aws.ToString(tbl.DatabaseName)+"."+aws.ToString(tbl.Name))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("SearchTables = %v, want %v", got, tc.want)
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
