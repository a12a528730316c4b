package moto

import (
	"maps"
)

// User-defined functions: seed them with the SDK's CreateUserDefinedFunction
// through the Pager, as a customer would have.

func (f *glueFake) createFunction(c *fakeCall) (any, *Fault) {
	in, _ := c.in["FunctionInput"].(map[string]any)
	name, _ := in["FunctionName"].(string)
	if fault := c.required("DatabaseName"); fault != nil {
		return nil, fault
	}
	if name == "" {
		return nil, invalidInput("FunctionInput.FunctionName is required")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.funcs, c.scope)
	k := key(c.str("DatabaseName"), name)
	if _, ok := b[k]; ok {
		return nil, alreadyExists("Function %s.%s already exists.", c.str("DatabaseName"), name)
	}
	fn := maps.Clone(in)
	fn["DatabaseName"] = c.str("DatabaseName")
	fn["CatalogId"] = catalogID(c)
	fn["CreateTime"] = epoch(f.now())
	b[k] = fn
	return nil, nil
}

func (f *glueFake) updateFunction(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "FunctionName"); fault != nil {
		return nil, fault
	}
	in, _ := c.in["FunctionInput"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.funcs, c.scope)
	old, ok := b[key(c.str("DatabaseName"), c.str("FunctionName"))]
	if !ok {
		return nil, notFound("Function %s.%s not found.", c.str("DatabaseName"), c.str("FunctionName"))
	}
	fn := maps.Clone(in)
	if name, _ := fn["FunctionName"].(string); name == "" {
		fn["FunctionName"] = c.str("FunctionName")
	}
	fn["DatabaseName"], fn["CatalogId"], fn["CreateTime"] = old["DatabaseName"], old["CatalogId"], old["CreateTime"]
	delete(b, key(c.str("DatabaseName"), c.str("FunctionName")))
	b[key(c.str("DatabaseName"), fn["FunctionName"].(string))] = fn
	return nil, nil
}

func (f *glueFake) deleteFunction(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "FunctionName"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.funcs, c.scope)
	k := key(c.str("DatabaseName"), c.str("FunctionName"))
	if _, ok := b[k]; !ok {
		return nil, notFound("Function %s.%s not found.", c.str("DatabaseName"), c.str("FunctionName"))
	}
	delete(b, k)
	return nil, nil
}

func (f *glueFake) getFunction(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "FunctionName"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fn, ok := bucket(f.funcs, c.scope)[key(c.str("DatabaseName"), c.str("FunctionName"))]
	if !ok {
		return nil, notFound("Function %s.%s not found.", c.str("DatabaseName"), c.str("FunctionName"))
	}
	return map[string]any{"UserDefinedFunction": fn}, nil
}

// getFunctions lists functions of one database, or of all when
// DatabaseName is omitted, whose names match Pattern.
func (f *glueFake) getFunctions(c *fakeCall) (any, *Fault) {
	if fault := c.required("Pattern"); fault != nil {
		return nil, fault
	}
	re, err := globPattern(c.str("Pattern"))
	if err != nil {
		return nil, invalidInput("Pattern %q: %v", c.str("Pattern"), err)
	}
	db := c.str("DatabaseName")
	f.mu.Lock()
	defer f.mu.Unlock()
	var items []any
	for _, fn := range sortedValues(bucket(f.funcs, c.scope)) {
		name, _ := fn["FunctionName"].(string)
		fdb, _ := fn["DatabaseName"].(string)
		if (db == "" || key(db) == key(fdb)) && re.MatchString(name) {
			items = append(items, fn)
		}
	}
	return listResult{field: "UserDefinedFunctions", items: items}, nil
}

// Column statistics, stored per column as given.

func (f *glueFake) updateColumnStats(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "TableName"); fault != nil {
		return nil, fault
	}
	list, _ := c.in["ColumnStatisticsList"].([]any)
	if len(list) == 0 || len(list) > 25 {
		return nil, invalidInput("ColumnStatisticsList must hold 1-25 items, got %d", len(list))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.stats, c.scope)
	for _, it := range list {
		st, _ := it.(map[string]any)
		col, _ := st["ColumnName"].(string)
		if col == "" {
			return nil, invalidInput("every ColumnStatistics needs a ColumnName")
		}
		b[key(c.str("DatabaseName"), c.str("TableName"), col)] = st
	}
	return map[string]any{"Errors": []any{}}, nil
}

func (f *glueFake) getColumnStats(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "TableName"); fault != nil {
		return nil, fault
	}
	cols, _ := c.in["ColumnNames"].([]any)
	if len(cols) == 0 {
		return nil, invalidInput("ColumnNames is required")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.stats, c.scope)
	found, errs := []any{}, []any{}
	for _, it := range cols {
		col, _ := it.(string)
		if st, ok := b[key(c.str("DatabaseName"), c.str("TableName"), col)]; ok {
			found = append(found, st)
			continue
		}
		errs = append(errs, map[string]any{"ColumnName": col, "Error": map[string]any{
			"ErrorCode": "EntityNotFoundException", "ErrorMessage": "No statistics found for column " + col,
		}})
	}
	return map[string]any{"ColumnStatisticsList": found, "Errors": errs}, nil
}

func (f *glueFake) deleteColumnStats(c *fakeCall) (any, *Fault) {
	if fault := c.required("DatabaseName", "TableName", "ColumnName"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.stats, c.scope)
	k := key(c.str("DatabaseName"), c.str("TableName"), c.str("ColumnName"))
	if _, ok := b[k]; !ok {
		return nil, notFound("No statistics found for column %s of %s.%s", c.str("ColumnName"), c.str("DatabaseName"), c.str("TableName"))
	}
	delete(b, k)
	return nil, nil
}

// catalogID is the account, as Glue reports CatalogId, unless the call
// named another catalog.
func catalogID(c *fakeCall) string {
	if id := c.str("CatalogId"); id != "" {
		return id
	}
	return c.scope.account
}
