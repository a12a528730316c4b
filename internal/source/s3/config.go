package s3

import (
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

// Connection is serviceConnection.config for source.type s3
// (OpenMetadata's S3Connection).
type Connection struct {
	source.AWSConnection `yaml:",inline"`
	BucketNames          []string `yaml:"bucketNames" json:"bucketNames,omitempty" jsonschema:"buckets to scan; default every bucket the role can list"`
	// Accepted for OpenMetadata compatibility.
	SupportsMetadataExtraction *bool `yaml:"supportsMetadataExtraction" json:"supportsMetadataExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// SourceConfig is sourceConfig.config for source.type s3 (OpenMetadata's
// StorageMetadata pipeline), with lakemap's own settings after it.
type SourceConfig struct {
	Type string `yaml:"type" json:"type,omitempty" jsonschema:"StorageMetadata"`
	// OpenMetadata applies it to buckets; lakemap also to discovered
	// containers (their path) and to file names, which is how the default
	// keeps Spark's _SUCCESS markers out.
	ContainerFilterPattern      source.FilterPattern `yaml:"containerFilterPattern" json:"containerFilterPattern,omitempty" jsonschema:"filters buckets, containers (by path) and file names (default excludes _SUCCESS)"`
	StorageMetadataConfigSource *ConfigSource        `yaml:"storageMetadataConfigSource" json:"storageMetadataConfigSource,omitempty" jsonschema:"where the global manifest openmetadata_storage_manifest.json is: manifestFilePath, manifestHttpPath, or prefixConfig (+ securityConfig) for an S3 object"`
	DefaultManifest             *manifest.Manifest   `yaml:"defaultManifest" json:"defaultManifest,omitempty" jsonschema:"fallback manifest for buckets that neither the global manifest nor their own openmetadata.json describe; entries need containerName"`
	MarkDeletedContainers       bool                 `yaml:"markDeletedContainers" json:"markDeletedContainers" jsonschema:"mark buckets and containers gone from S3 as deleted (default true)"`
	IncludeTags                 bool                 `yaml:"includeTags" json:"includeTags" jsonschema:"read object tags in the object inventory (bucket tags are always read)"`
	// Accepted for OpenMetadata compatibility.
	OverrideMetadata *bool `yaml:"overrideMetadata" json:"overrideMetadata,omitempty" jsonschema:"accepted for OpenMetadata compatibility; lakemap always records what the source says"`

	// lakemap's own settings.
	AutoDiscovery         bool `yaml:"autoDiscovery" json:"autoDiscovery" jsonschema:"discover datasets in buckets no manifest describes (default true)"`
	IncludeMetrics        bool `yaml:"includeMetrics" json:"includeMetrics" jsonschema:"read bucket size and object count from CloudWatch (default true)"`
	IncludeObjects        bool `yaml:"includeObjects" json:"includeObjects" jsonschema:"catalogue every object (default false)"`
	MaxObjectsPerBucket   int  `yaml:"maxObjectsPerBucket" json:"maxObjectsPerBucket,omitempty" jsonschema:"objects catalogued per bucket at most, 0 for no limit (default 1000000)"`
	IncludeObjectVersions bool `yaml:"includeObjectVersions" json:"includeObjectVersions" jsonschema:"in versioned buckets, list versions: count and list noncurrent versions on each object (default false)"`
	IncludeObjectHeaders  bool `yaml:"includeObjectHeaders" json:"includeObjectHeaders" jsonschema:"HeadObject every catalogued object for content type and encoding (default false: one call per object)"`
	SampleFiles           int  `yaml:"sampleFiles" json:"sampleFiles,omitempty" jsonschema:"newest files per container whose schema is read and compared, 0 for none (default 3)"`
	SampleBytes           int  `yaml:"sampleBytes" json:"sampleBytes,omitempty" jsonschema:"bytes read per sampled file at most (default 262144)"`
	Threads               int  `yaml:"threads" json:"threads,omitempty" jsonschema:"buckets scanned in parallel (default 4)"`
	ListThreads           int  `yaml:"listThreads" json:"listThreads,omitempty" jsonschema:"S3 listings in flight per scan (default 16; half of that while the catalog writer is behind)"`
	MaxDepth              int  `yaml:"maxDepth" json:"maxDepth,omitempty" jsonschema:"directory levels discovery descends before a directory becomes one container (default 6)"`
	MaxPrefixes           int  `yaml:"maxPrefixes" json:"maxPrefixes,omitempty" jsonschema:"sub-directories of one directory past which they are partitions of it, not datasets (default 5000)"`
}

// ConfigSource is OpenMetadata's storageMetadataConfigSource: one of a
// local file, an HTTP URL, or an S3 object.
type ConfigSource struct {
	ManifestFilePath string          `yaml:"manifestFilePath" json:"manifestFilePath,omitempty" jsonschema:"local path of the global manifest, inside the workflow file's directory or LAKEMAP_MANIFEST_DIR (relative paths start there)"`
	ManifestHTTPPath string          `yaml:"manifestHttpPath" json:"manifestHttpPath,omitempty" jsonschema:"URL of the global manifest"`
	PrefixConfig     *PrefixConfig   `yaml:"prefixConfig" json:"prefixConfig,omitempty" jsonschema:"bucket and folder of openmetadata_storage_manifest.json"`
	SecurityConfig   *SecurityConfig `yaml:"securityConfig" json:"securityConfig,omitempty" jsonschema:"AWS credentials for the manifest's bucket; default the connection's"`
	// fileRoot confines manifestFilePath (SetFileRoot, manifests.go).
	fileRoot string
}

// PrefixConfig locates the global manifest in S3.
type PrefixConfig struct {
	ContainerName string `yaml:"containerName" json:"containerName" jsonschema:"bucket holding the manifest"`
	ObjectPrefix  string `yaml:"objectPrefix" json:"objectPrefix,omitempty" jsonschema:"folder of the manifest; empty for the bucket root"`
}

// SecurityConfig is OpenMetadata's awsCredentials.
type SecurityConfig struct {
	awsconn.Config `yaml:",inline"`
	// Accepted for OpenMetadata compatibility (newer releases).
	Enabled *bool `yaml:"enabled" json:"enabled,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// Defaults of SourceConfig.
const (
	DefaultMaxObjectsPerBucket = 1_000_000
	DefaultSampleFiles         = 3
	DefaultSampleBytes         = 256 << 10
	DefaultThreads             = 4
	DefaultListThreads         = 16
	DefaultMaxDepth            = 6
	DefaultMaxPrefixes         = 5000
	// MaxSampleBytes bounds sampleBytes: "a few hundred KiB" per file is
	// the promise.
	MaxSampleBytes = 4 << 20
)

// DefaultSourceConfig returns a source config with every default set.
func DefaultSourceConfig() *SourceConfig {
	return &SourceConfig{
		Type:                   "StorageMetadata",
		ContainerFilterPattern: source.FilterPattern{Excludes: []string{"_SUCCESS"}},
		MarkDeletedContainers:  true,
		AutoDiscovery:          true,
		IncludeMetrics:         true,
		MaxObjectsPerBucket:    DefaultMaxObjectsPerBucket,
		SampleFiles:            DefaultSampleFiles,
		SampleBytes:            DefaultSampleBytes,
		Threads:                DefaultThreads,
		ListThreads:            DefaultListThreads,
		MaxDepth:               DefaultMaxDepth,
		MaxPrefixes:            DefaultMaxPrefixes,
	}
}

func newConnection() *Connection {
	return &Connection{AWSConnection: source.AWSConnection{Type: "S3"}}
}

// Validate implements source.Validator.
func (c *Connection) Validate() []source.FieldProblem {
	var out []source.FieldProblem
	for i, b := range c.BucketNames {
		if msg := bucketNameProblem(b); msg != "" {
			out = append(out, source.FieldProblem{Path: fmt.Sprintf("bucketNames[%d]", i), Message: msg})
		}
	}
	return out
}

// bucketNameProblem checks the rules every S3 bucket name follows.
func bucketNameProblem(b string) string {
	switch {
	case len(b) < 3 || len(b) > 63:
		return fmt.Sprintf("bucket name %q must be 3 to 63 characters", b)
	case strings.ToLower(b) != b || strings.ContainsAny(b, " /_\\:*?\"<>|"):
		return fmt.Sprintf("bucket name %q may hold only lower-case letters, digits, dots and hyphens", b)
	}
	return ""
}

// Validate implements source.Validator.
func (c *SourceConfig) Validate() []source.FieldProblem {
	var out []source.FieldProblem
	nonNegative := func(path string, v int) {
		if v < 0 {
			out = append(out, source.FieldProblem{Path: path, Message: fmt.Sprintf("must not be negative, got %d", v)})
		}
	}
	nonNegative("maxObjectsPerBucket", c.MaxObjectsPerBucket)
	nonNegative("sampleFiles", c.SampleFiles)
	nonNegative("threads", c.Threads)
	nonNegative("listThreads", c.ListThreads)
	nonNegative("maxDepth", c.MaxDepth)
	nonNegative("maxPrefixes", c.MaxPrefixes)
	if c.SampleBytes < 0 || c.SampleBytes > MaxSampleBytes {
		out = append(out, source.FieldProblem{Path: "sampleBytes", Message: fmt.Sprintf("must be 0-%d, got %d", MaxSampleBytes, c.SampleBytes)})
	}
	if s := c.StorageMetadataConfigSource; s != nil {
		out = append(out, s.validate()...)
	}
	if c.DefaultManifest != nil {
		for _, p := range manifest.Check(c.DefaultManifest.Entries, true) {
			out = append(out, source.FieldProblem{Path: fmt.Sprintf("defaultManifest.entries[%d]", p.Entry), Message: p.Message})
		}
	}
	return out
}

func (s *ConfigSource) validate() []source.FieldProblem {
	set := 0
	for _, v := range []bool{s.ManifestFilePath != "", s.ManifestHTTPPath != "", s.PrefixConfig != nil} {
		if v {
			set++
		}
	}
	var out []source.FieldProblem
	if set > 1 {
		out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource", Message: "set one of manifestFilePath, manifestHttpPath and prefixConfig"})
	}
	if s.SecurityConfig != nil && s.PrefixConfig == nil {
		out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource.securityConfig", Message: "is used only with prefixConfig"})
	}
	if p := s.PrefixConfig; p != nil {
		if p.ContainerName == "" {
			out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource.prefixConfig.containerName", Message: "a bucket name is required"})
		} else if msg := bucketNameProblem(p.ContainerName); msg != "" {
			out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource.prefixConfig.containerName", Message: msg})
		}
	}
	if u := s.ManifestHTTPPath; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource.manifestHttpPath", Message: fmt.Sprintf("must be an http:// or https:// URL, got %q", u)})
	}
	if sc := s.SecurityConfig; sc != nil {
		cfg := sc.Config.WithDefaults("")
		for _, p := range cfg.Problems() {
			out = append(out, source.FieldProblem{Path: "storageMetadataConfigSource.securityConfig." + p.Field, Message: p.Message})
		}
	}
	return out
}

// withDefaults fills zero values a YAML file may have written explicitly.
func (c SourceConfig) withDefaults() SourceConfig {
	if c.SampleBytes == 0 {
		c.SampleBytes = DefaultSampleBytes
	}
	if c.Threads == 0 {
		c.Threads = DefaultThreads
	}
	if c.ListThreads == 0 {
		c.ListThreads = DefaultListThreads
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxPrefixes == 0 {
		c.MaxPrefixes = DefaultMaxPrefixes
	}
	return c
}
