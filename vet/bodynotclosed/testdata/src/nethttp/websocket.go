package nethttp

import "github.com/gorilla/websocket"

// A websocket Dial's response is the library's: its body need not be
// closed.

func dial(u string) (*websocket.Conn, error) {
	var d websocket.Dialer
	conn, resp, err := d.Dial(u, nil)
	if err != nil {
		return nil, err
	}
	_ = resp.StatusCode
	return conn, nil
}

func dialDropped(u string) error {
	var d websocket.Dialer
	conn, _, err := d.Dial(u, nil)
	if err != nil {
		return err
	}
	return conn.Close()
}
