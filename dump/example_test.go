package dump_test

import (
	"fmt"
	"strings"

	"github.com/connleak/connleak/dump"
)

// A debug=2 dump of two goroutines: an HTTP/1 client connection's
// readLoop, idle for 3 minutes, and the main goroutine.
const twoGoroutines = `goroutine 1 [running]:
main.main()
	/src/main.go:12 +0x1d

goroutine 7 [IO wait, 3 minutes]:
internal/poll.runtime_pollWait(0x7f, 0x72)
	runtime/netpoll.go:351 +0x85
net/http.(*persistConn).readLoop(0xc000100000)
	net/http/transport.go:2330 +0x172
created by net/http.(*Transport).dialConn in goroutine 6
	net/http/transport.go:1994 +0x16ac
`

func ExampleRead() {
	format, err := dump.Read(strings.NewReader(twoGoroutines), func(g *dump.Goroutine) {
		fmt.Printf("goroutine %d [%s, %v]: %s, %d frames\n", g.ID, g.State, g.Wait, g.Entry(), len(g.Frames))
	})
	fmt.Println(format, err)
	// Output:
	// goroutine 1 [running, 0s]: main.main, 1 frames
	// goroutine 7 [IO wait, 3m0s]: net/http.(*persistConn).readLoop, 2 frames
	// debug=2 <nil>
}
