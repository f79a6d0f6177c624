package main_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestControlFlag drives the command as a harness does: startup line, a
// command on stdin, its reply, then the fault seen over HTTP. Closing stdin
// stops the process cleanly, so a harness that dies leaves nothing behind.
func TestControlFlag(t *testing.T) {
	bin := build(t)
	cmd := exec.CommandContext(t.Context(), bin, "-json", "-quiet", "-control")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	out := bufio.NewReader(pipe)

	var f facts
	if err := json.Unmarshal([]byte(readLine(t, out)), &f); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(stdin, "rate-limit-next 1 3\n"); err != nil {
		t.Fatal(err)
	}
	if reply := readLine(t, out); strings.TrimSpace(reply) != `{"ok":true}` {
		t.Fatalf("reply = %q", reply)
	}
	post := func() (status int, retryAfter string) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.APIURL+"/v1/sessions/"+f.SessionID+"/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+f.SecretKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		return res.StatusCode, res.Header.Get("Retry-After")
	}
	if status, retryAfter := post(); status != http.StatusTooManyRequests || retryAfter != "3" {
		t.Errorf("first request: %d, Retry-After %q", status, retryAfter)
	}
	if status, _ := post(); status != http.StatusOK {
		t.Errorf("second request: %d", status)
	}

	if err := stdin.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _ = io.Copy(io.Discard, out); done <- cmd.Wait() }()
	select {
	case err := <-done:
		exited = true
		if err != nil {
			t.Errorf("exit after stdin closed: %v\nstderr: %s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Error("did not exit within 10s of stdin closing")
	}
}
