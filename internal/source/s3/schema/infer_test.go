package schema

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/parquet-go/parquet-go"
)

// memReader serves ranges of data and records what was asked.
type memReader struct {
	data     []byte
	calls    int
	bytesOut int64
}

func (m *memReader) ReadRange(_ context.Context, off, n int64) ([]byte, error) {
	m.calls++
	if off < 0 || off > int64(len(m.data)) {
		return nil, fmt.Errorf("range %d+%d outside %d bytes", off, n, len(m.data))
	}
	end := min(off+n, int64(len(m.data)))
	m.bytesOut += end - off
	return m.data[off:end], nil
}

func infer(t *testing.T, data []byte, f Format, opt Options) ([]Column, *memReader, error) {
	t.Helper()
	r := &memReader{data: data}
	cols, err := Infer(context.Background(), r, int64(len(data)), f, opt)
	return cols, r, err
}

func render(cols []Column) string {
	var parts []string
	for _, c := range cols {
		parts = append(parts, c.Name+" "+c.Type)
	}
	return strings.Join(parts, ", ")
}

func TestInferText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		data   string
		format Format
		opt    Options
		want   string
	}{
		{"csv with header", "id,name,price,active,day,at\n1,apple,1.5,true,2024-01-02,2024-01-02 10:00:00\n2,pear,2,false,2024-02-03,2024-01-02T10:00:00Z\n", CSV, Options{},
			"id bigint, name string, price double, active boolean, day date, at timestamp"},
		{"csv without header", "1,apple\n2,pear\n", CSV, Options{}, "col_0 bigint, col_1 string"},
		{"csv all strings", "city,country\nParis,France\nLyon,France\n", CSV, Options{}, "city string, country string"},
		{"semicolon sniffed", "a;b;c\n1;2;x\n3;4;y\n", CSV, Options{}, "a bigint, b bigint, c string"},
		{"pipe given", "a|b\n1|2\n", CSV, Options{Separator: "|"}, "a bigint, b bigint"},
		{"tsv", "a\tb\n1\tx\n", TSV, Options{}, "a bigint, b string"},
		{"duplicate and empty headers", "id,id,,x\n1,2,3,4\n", CSV, Options{}, "id bigint, id_2 bigint, col_2 bigint, x bigint"},
		{"nulls do not vote", "a,b\n,x\nNULL,y\n3,z\n", CSV, Options{}, "a bigint, b string"},
		{"jsonl", `{"id":1,"name":"a","tags":["x"],"addr":{"city":"P","zip":75}}` + "\n" + `{"id":2.5,"name":null,"extra":true}` + "\n", JSONL, Options{},
			"addr struct<city:string,zip:bigint>, id double, name string, tags array<string>, extra boolean"},
		{"json array", `[{"a":1},{"a":"x"}]`, JSON, Options{}, "a string"},
		{"json document", `{"a":{"b":{"c":[{"d":1}]}}}`, JSON, Options{}, "a struct<b:struct<c:array<struct<d:bigint>>>>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, _, err := infer(t, []byte(tc.data), tc.format, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(cols); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestInferJSONChildren(t *testing.T) {
	cols, _, err := infer(t, []byte(`{"addr":{"city":"P","geo":{"lat":1.5}}}`), JSONL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || len(cols[0].Children) != 2 || cols[0].Children[1].Name != "geo" || len(cols[0].Children[1].Children) != 1 {
		t.Fatalf("nested children not kept: %+v", cols)
	}
}

func TestInferReadsOnlyThePrefix(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, "%d,name-%d\n", i, i)
	}
	cols, r, err := infer(t, []byte(b.String()), CSV, Options{MaxBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if render(cols) != "id bigint, name string" {
		t.Errorf("got %s", render(cols))
	}
	if r.bytesOut > 64<<10 || r.calls != 1 {
		t.Errorf("read %d bytes in %d calls, want at most 64 KiB in one", r.bytesOut, r.calls)
	}
}

func TestInferGzip(t *testing.T) {
	var raw bytes.Buffer
	zw := gzip.NewWriter(&raw)
	fmt.Fprintln(zw, `{"a":1,"b":"x"}`)
	for i := range 200000 {
		fmt.Fprintf(zw, `{"a":%d,"b":"row %d"}`+"\n", i, i)
	}
	zw.Close()
	cols, r, err := infer(t, raw.Bytes(), JSONL, Options{Compression: "gzip", MaxBytes: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if render(cols) != "a bigint, b string" {
		t.Errorf("got %s", render(cols))
	}
	if r.bytesOut > 32<<10 {
		t.Errorf("read %d compressed bytes, want at most 32 KiB", r.bytesOut)
	}
}

type pqAddress struct {
	City string `parquet:"city"`
	Zip  int32  `parquet:"zip,optional"`
}

type pqRow struct {
	ID      int64             `parquet:"id"`
	Name    string            `parquet:"name,optional"`
	Price   float64           `parquet:"price"`
	Day     time.Time         `parquet:"day,date"`
	At      time.Time         `parquet:"at,timestamp(millisecond)"`
	Tags    []string          `parquet:"tags,list"`
	Address pqAddress         `parquet:"address"`
	Attrs   map[string]string `parquet:"attrs"`
	Ok      bool              `parquet:"ok"`
}

func parquetFile(t testing.TB, rows int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqRow](&buf)
	batch := make([]pqRow, 0, 1000)
	for i := range rows {
		batch = append(batch, pqRow{ID: int64(i), Name: "n", Price: 1.5, Day: time.Unix(0, 0).UTC(), At: time.Unix(0, 0).UTC(),
			Tags: []string{"a"}, Address: pqAddress{City: "P", Zip: 75}, Attrs: map[string]string{"k": "v"}, Ok: true})
		if len(batch) == cap(batch) {
			if _, err := w.Write(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := w.Write(batch); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestInferParquetFooterOnly(t *testing.T) {
	data := parquetFile(t, 50000)
	if len(data) < 200<<10 {
		t.Fatalf("test file too small to prove anything: %d bytes", len(data))
	}
	cols, r, err := infer(t, data, Parquet, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "id bigint, name string, price double, day date, at timestamp, tags array<string>, address struct<city:string,zip:int>, attrs map<string,string>, ok boolean"
	if got := render(cols); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(cols[6].Children) != 2 {
		t.Errorf("struct children = %+v", cols[6].Children)
	}
	if r.bytesOut > tailRead || r.calls != 1 {
		t.Errorf("read %d bytes in %d calls of a %d-byte file, want one tail read", r.bytesOut, r.calls, len(data))
	}
}

func avroFile(t testing.TB) []byte {
	t.Helper()
	schema := `{"type":"record","name":"Order","namespace":"shop","fields":[
		{"name":"id","type":"long"},
		{"name":"note","type":["null","string"],"default":null},
		{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
		{"name":"day","type":{"type":"int","logicalType":"date"}},
		{"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
		{"name":"next","type":["null","Line"],"default":null},
		{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","DONE"]}}
	]}`
	var buf bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	rec := map[string]any{"id": int64(1), "note": goavro.Union("string", "x"), "amount": big.NewRat(1, 4), "day": time.Unix(86400, 0).UTC(),
		"lines": []any{map[string]any{"sku": "a", "qty": int32(2)}}, "next": nil, "status": "NEW"}
	if err := w.Append([]any{rec, rec}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestInferAvroHeader(t *testing.T) {
	cols, _, err := infer(t, avroFile(t), Avro, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "id bigint, note string, amount decimal(10,2), day date, lines array<struct<sku:string,qty:int>>, next struct<...>, status string"
	if got := render(cols); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestInferBadInput(t *testing.T) {
	pq := parquetFile(t, 10)
	corrupt := bytes.Clone(pq)
	// Keep the trailer, overwrite the footer body with list headers that
	// claim huge sizes: the reader must refuse, not allocate.
	footerLen := int(binary.LittleEndian.Uint32(corrupt[len(corrupt)-8:]))
	body := corrupt[len(corrupt)-8-footerLen : len(corrupt)-8]
	for i := range body {
		body[i] = 0x19 // field 1 delta, type list
	}
	body[0], body[1] = 0x29, 0xfc // field 2 list of structs, size via varint
	for i := 2; i < 7 && i < len(body); i++ {
		body[i] = 0xff
	}
	hugeFooter := bytes.Clone(pq)
	binary.LittleEndian.PutUint32(hugeFooter[len(hugeFooter)-8:], uint32(len(hugeFooter)-12))
	avro := avroFile(t)

	for _, tc := range []struct {
		name   string
		data   []byte
		format Format
		opt    Options
		want   string
	}{
		{"empty csv", nil, CSV, Options{}, "the file is empty"},
		{"empty parquet", nil, Parquet, Options{}, "the file is empty"},
		{"not parquet", []byte("hello, this is text and not parquet at all"), Parquet, Options{}, "does not end with the magic number PAR1"},
		{"corrupt footer", corrupt, Parquet, Options{}, "corrupt Parquet footer"},
		{"footer larger than budget", hugeFooter, Parquet, Options{MaxBytes: 1024}, "more than the 1024 lakemap reads per file"},
		{"footer length lies", append([]byte("PAR1xxxxxxxxxxxxxxxx"), 0xff, 0xff, 0xff, 0x00, 'P', 'A', 'R', '1'), Parquet, Options{}, "does not fit in a file of"},
		{"not avro", []byte("PK\x03\x04 zip file"), Avro, Options{}, "not an Avro container file"},
		{"avro header cut", avro[:40], Avro, Options{}, "reading the Avro header"},
		{"binary as csv", []byte{0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xc3, 0x28}, CSV, Options{}, "not text"},
		{"json not records", []byte(`[1,2,3]`), JSON, Options{}, "records must be JSON objects, found a number"},
		{"json broken", []byte(`{"a":1}` + "\n" + `{"a":`), JSONL, Options{}, "reading JSON record 2"},
		{"gzip garbage", []byte("not gzip at all"), CSV, Options{Compression: "gzip"}, "reading gzip header"},
		{"zstd", []byte("(\xb5/\xfd"), CSV, Options{Compression: "zstd"}, "zstd-compressed files are not sampled"},
		{"bad separator", []byte("a,b\n"), CSV, Options{Separator: "::"}, `separator "::" must be one character`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := infer(t, tc.data, tc.format, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	ref := []Column{{Name: "a", Type: "bigint"}, {Name: "b", Type: "string"}}
	other := []Column{{Name: "a", Type: "double"}, {Name: "c", Type: "string"}}
	d := Compare("k", ref, other)
	if fmt.Sprint(d.Added, d.Missing, d.Changed) != "[c] [b] [a: bigint -> double]" {
		t.Errorf("drift = %+v", d)
	}
	if !Compare("k", ref, ref).Empty() {
		t.Error("identical schemas drift")
	}
}

func FuzzInfer(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), uint8(0))
	f.Add(parquetFile(f, 3), uint8(4))
	f.Add(avroFile(f), uint8(5))
	formats := []Format{CSV, TSV, JSON, JSONL, Parquet, Avro}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		r := &memReader{data: data}
		_, _ = Infer(context.Background(), r, int64(len(data)), formats[int(which)%len(formats)], Options{MaxBytes: 4096})
		if r.bytesOut > 4096 {
			t.Fatalf("read %d bytes with a 4096-byte budget", r.bytesOut)
		}
	})
}
