package discover

import (
	"fmt"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	for key, want := range map[string]FileKind{
		"a/part-0000-uuid.snappy.parquet": {Format: "parquet"},
		"a/data.csv.gz":                   {Format: "csv", Compression: "gzip"},
		"a/events.ndjson":                 {Format: "jsonl"},
		"a/x.JSON":                        {Format: "json"},
		"a/part-00000":                    {},
		"a/photo.PNG":                     {Format: "png"},
		"a/dump.gz":                       {Format: "gz"},
		"a/t.tsv.bz2":                     {Format: "tsv", Compression: "bzip2"},
	} {
		if got := Classify(key); got != want {
			t.Errorf("Classify(%q) = %+v, want %+v", key, got, want)
		}
	}
}

func TestArtifacts(t *testing.T) {
	for seg, want := range map[string]bool{
		"_SUCCESS": true, "_temporary": true, "_delta_log": true, "_spark_metadata": true,
		".part-0000.parquet.crc": true, "_committed_123": true, "_started_123": true, "x_$folder$": true,
		"part-0000.parquet": false, "_year=2024": false, "orders": false,
	} {
		if IsArtifact(seg) != want {
			t.Errorf("IsArtifact(%q) = %v", seg, !want)
		}
	}
	if !ExcludedBy("a/_tmp/b", []string{"_tmp"}) || !ExcludedBy("a/b.tmp", []string{".tmp"}) || ExcludedBy("a/b", []string{"_tmp"}) {
		t.Error("ExcludedBy")
	}
}

func TestPartitionParsing(t *testing.T) {
	k, v, ok := HivePartition("city=New%20York")
	if !ok || k != "city" || v != "New York" {
		t.Errorf("HivePartition = %q %q %v", k, v, ok)
	}
	if _, _, ok := HivePartition("=x"); ok {
		t.Error("empty key accepted")
	}
	for dir, want := range map[string]bool{"2024": true, "2024-01-02": true, "01": true, "orders": false, "v2": false, "": false} {
		if LooksLikeValue(dir) != want {
			t.Errorf("LooksLikeValue(%q) = %v", dir, !want)
		}
	}
}

func TestDatasetSummary(t *testing.T) {
	d := &Dataset{Samples: 2}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(key string, size int64, age int, class string, dirs ...string) {
		d.Add(Object{Key: key, Size: size, LastModified: base.Add(time.Duration(age) * time.Hour), StorageClass: class}, dirs)
	}
	for i := range 30 {
		y, m := 2020+i%3, 1+i%12
		add(fmt.Sprintf("t/year=%d/month=%02d/p%d.parquet", y, m, i), 100, i, "", fmt.Sprintf("year=%d", y), fmt.Sprintf("month=%02d", m))
	}
	add("t/year=2024/month=01/empty.parquet", 0, 100, "", "year=2024", "month=01")
	add("t/year=2024/month=01/cold.parquet", 10, 200, "GLACIER", "year=2024", "month=01")
	add("t/year=2024/month=01/notes.txt", 10, 300, "", "year=2024", "month=01")
	s := d.Summary()
	if s.Format != "parquet" || s.Files != 33 || s.Bytes != 3020 || s.Empty != 1 || s.Archived != 1 {
		t.Errorf("summary = %+v", s)
	}
	if len(s.Samples) != 2 || s.Samples[0].Key != "t/year=2022/month=06/p29.parquet" || s.Samples[1].Key != "t/year=2021/month=05/p28.parquet" {
		t.Errorf("samples = %+v", s.Samples)
	}
	if len(s.Levels) != 2 || s.Levels[0].Name != "year" || s.Levels[0].Type != "bigint" || !s.Levels[0].Hive || s.Levels[1].Name != "month" {
		t.Errorf("levels = %+v", s.Levels)
	}
	if s.Formats["parquet"] != 32 || s.Formats["txt"] != 1 {
		t.Errorf("formats = %v", s.Formats)
	}
	if fmt.Sprint(s.Classes) != "[GLACIER STANDARD]" || !s.Newest.Equal(base.Add(300*time.Hour)) {
		t.Errorf("classes %v newest %v", s.Classes, s.Newest)
	}

	anon := &Dataset{}
	anon.Add(Object{Key: "logs/2024/01/a.json", Size: 1}, []string{"2024", "01"})
	anon.Add(Object{Key: "logs/2024/02/03/b.json", Size: 1}, []string{"2024", "02", "03"})
	s = anon.Summary()
	if len(s.Levels) != 2 || s.Levels[0].Name != "partition_0" || s.Levels[0].Hive || !s.MixedDepth {
		t.Errorf("anonymous levels = %+v mixed %v", s.Levels, s.MixedDepth)
	}
}
