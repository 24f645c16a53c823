package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLargeDump(t *testing.T) {
	tests := []struct {
		name, dump string
		n          int
		want       string
	}{
		{
			name: "debug=2",
			dump: "goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\ngoroutine 7 [select]:\nmain.f()\n\t/m.go:9 +0x2\ncreated by main.main in goroutine 1\n\t/m.go:4 +0x3\n",
			n:    5,
			want: "goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\n" +
				"goroutine 7 [select]:\nmain.f()\n\t/m.go:9 +0x2\ncreated by main.main in goroutine 1\n\t/m.go:4 +0x3\n\n" +
				"goroutine 9 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\n" +
				"goroutine 15 [select]:\nmain.f()\n\t/m.go:9 +0x2\ncreated by main.main in goroutine 9\n\t/m.go:4 +0x3\n\n" +
				"goroutine 17 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\n",
		},
		{
			name: "traceback",
			dump: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\nexit status 2\n",
			n:    2,
			want: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\ngoroutine 3 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\nexit status 2\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dump.txt")
			if err := os.WriteFile(path, []byte(tt.dump), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := string(LargeDump(t, path, tt.n)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
