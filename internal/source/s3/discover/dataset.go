package discover

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lakemap/lakemap/internal/source/s3/schema"
)

// Object is one listed key.
type Object struct {
	Key          string
	Size         int64
	LastModified time.Time
	StorageClass string
}

// Limits keeping a Dataset's memory independent of its size.
const (
	maxLevels        = 16
	maxKeysPerLevel  = 8
	maxFormats       = 16
	maxValueExamples = 5
)

// Dataset summarises the files of one container as they are listed, in
// memory that does not grow with the number of files: counters, a few
// samples per format, and per partition level a type vote. Safe for
// concurrent use.
type Dataset struct {
	// Samples is how many newest files per format are kept as sampling
	// candidates.
	Samples int

	mu       sync.Mutex
	formats  map[string]*formatStats
	other    int64 // files of formats past maxFormats
	classes  map[string]bool
	newest   time.Time
	files    int64
	bytes    int64
	empty    int64
	archived int64
	levels   []levelStats
	flat     int64 // data files directly in the container
	minDepth int   // fewest partition directories above a file, among files below any
}

type formatStats struct {
	files, bytes int64
	compression  map[string]int64
	samples      []Object // newest first, at most Samples
}

type levelStats struct {
	keys      map[string]int64
	anonymous int64
	typer     schema.Typer
	examples  []string
}

// Add counts one data file. dirs are the directories between the
// container and the file: partition directories.
func (d *Dataset) Add(o Object, dirs []string) {
	kind := Classify(o.Key)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.formats == nil {
		d.formats = map[string]*formatStats{}
		d.classes = map[string]bool{}
	}
	d.files++
	d.bytes += o.Size
	if o.LastModified.After(d.newest) {
		d.newest = o.LastModified
	}
	class := o.StorageClass
	if class == "" {
		class = "STANDARD"
	}
	if len(d.classes) < 16 {
		d.classes[class] = true
	}
	fs := d.formats[kind.Format]
	if fs == nil {
		if len(d.formats) >= maxFormats {
			d.other++
			return
		}
		fs = &formatStats{compression: map[string]int64{}}
		d.formats[kind.Format] = fs
	}
	fs.files++
	fs.bytes += o.Size
	fs.compression[kind.Compression]++
	switch {
	case o.Size == 0:
		d.empty++
	case Archived(class):
		d.archived++
	default:
		fs.offer(o, max(d.Samples, 1))
	}
	d.addLevels(dirs)
}

// Archived reports storage classes whose objects cannot be read without a
// restore.
func Archived(class string) bool {
	return class == "GLACIER" || class == "DEEP_ARCHIVE"
}

// offer keeps o if it is among the n newest seen.
func (fs *formatStats) offer(o Object, n int) {
	i := sort.Search(len(fs.samples), func(i int) bool { return newer(o, fs.samples[i]) })
	if i >= n {
		return
	}
	fs.samples = append(fs.samples, Object{})
	copy(fs.samples[i+1:], fs.samples[i:])
	fs.samples[i] = o
	if len(fs.samples) > n {
		fs.samples = fs.samples[:n]
	}
}

// newer orders by time, then key, so that sampling is deterministic.
func newer(a, b Object) bool {
	if !a.LastModified.Equal(b.LastModified) {
		return a.LastModified.After(b.LastModified)
	}
	return a.Key > b.Key
}

func (d *Dataset) addLevels(dirs []string) {
	if len(dirs) == 0 {
		d.flat++
		return
	}
	if d.minDepth == 0 || len(dirs) < d.minDepth {
		d.minDepth = len(dirs)
	}
	for i, dir := range dirs {
		if i >= maxLevels {
			break
		}
		if i >= len(d.levels) {
			d.levels = append(d.levels, levelStats{keys: map[string]int64{}})
		}
		l := &d.levels[i]
		value := dir
		if k, v, ok := HivePartition(dir); ok {
			if _, known := l.keys[k]; known || len(l.keys) < maxKeysPerLevel {
				l.keys[k]++
			}
			value = v
		} else {
			l.anonymous++
		}
		l.typer.Add(value)
		if len(l.examples) < maxValueExamples && !containsString(l.examples, value) {
			l.examples = append(l.examples, value)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Partition is a partition column found in the directory names.
type Partition struct {
	Name string
	Type string
	// Hive is true for key=value directories; false for bare values
	// (2024/01/02), named partition_<level> as Glue crawlers name them.
	Hive     bool
	Examples []string
}

// Summary is a Dataset's state once listed.
type Summary struct {
	Format      string
	Compression string
	Formats     map[string]int64 // set when files of several formats were found
	Files       int64
	Bytes       int64
	Newest      time.Time
	Classes     []string
	Empty       int64 // files of zero bytes
	Archived    int64 // files in Glacier classes
	// Samples are the newest readable files of Format, newest first.
	Samples []Object
	// Levels are the partition levels every partitioned file has, in order.
	Levels []Partition
	// MixedDepth says some files sit at other depths than the levels.
	MixedDepth bool
}

// Summary returns the dataset's state. The format is the one with most
// files, structured formats first.
func (d *Dataset) Summary() Summary {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := Summary{Files: d.files, Bytes: d.bytes, Newest: d.newest, Empty: d.empty, Archived: d.archived}
	for c := range d.classes {
		s.Classes = append(s.Classes, c)
	}
	sort.Strings(s.Classes)
	names := make([]string, 0, len(d.formats))
	for f := range d.formats {
		names = append(names, f)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		sa, sb := FileKind{Format: a}.Structured(), FileKind{Format: b}.Structured()
		if sa != sb {
			return sa
		}
		if d.formats[a].files != d.formats[b].files {
			return d.formats[a].files > d.formats[b].files
		}
		return a < b
	})
	if len(names) > 0 {
		best := d.formats[names[0]]
		s.Format = names[0]
		s.Samples = append([]Object(nil), best.samples...)
		var top int64 = -1
		for c, n := range best.compression {
			if n > top || n == top && c < s.Compression {
				s.Compression, top = c, n
			}
		}
	}
	if len(names) > 1 || d.other > 0 {
		s.Formats = map[string]int64{}
		for _, f := range names {
			label := f
			if label == "" {
				label = "(none)"
			}
			s.Formats[label] = d.formats[f].files
		}
		if d.other > 0 {
			s.Formats["(other)"] = d.other
		}
	}
	depth := min(d.minDepth, len(d.levels))
	for i := range depth {
		l := &d.levels[i]
		p := Partition{Name: fmt.Sprintf("partition_%d", i), Type: l.typer.Type(), Examples: append([]string(nil), l.examples...)}
		if len(l.keys) == 1 && l.anonymous == 0 {
			for k := range l.keys {
				p.Name, p.Hive = k, true
			}
		}
		s.Levels = append(s.Levels, p)
	}
	s.MixedDepth = d.flat > 0 && d.minDepth > 0 || len(d.levels) > d.minDepth
	return s
}
