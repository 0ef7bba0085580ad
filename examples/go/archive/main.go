// Command archive copies a directory of results into a container with the
// store's own Go client (server/client), then proves the copy: it lists the
// container and reads every object back, comparing each MD5 with the local
// file's.
//
//	export ST_AUTH=http://127.0.0.1:8080/auth/v1.0 ST_USER=test:tester ST_KEY=testing
//	go run ./examples/go/archive ./results results
//
// Each upload carries the file's MD5 as its ETag, so the store refuses a
// body that arrived damaged (422) instead of keeping it.
package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sciswift/sciswift/server/client"
)

const usage = `usage: archive DIR CONTAINER

Uploads every regular file under DIR to CONTAINER (object name = path
relative to DIR), then downloads each one and checks its MD5.
Credentials: ST_AUTH, ST_USER, ST_KEY, as for the swift CLI.
`

func main() {
	if len(os.Args) != 3 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "archive:", err)
		os.Exit(1)
	}
}

// errMismatch is a downloaded object whose MD5 is not its file's.
var errMismatch = errors.New("object differs from its file")

func run(ctx context.Context, dir, container string, out io.Writer) error {
	c, err := login(ctx)
	if err != nil {
		return err
	}
	if err := c.PutContainer(ctx, container, nil); err != nil {
		return fmt.Errorf("create container %s: %w", container, err)
	}
	sums, err := uploadTree(ctx, c, dir, container, out)
	if err != nil {
		return err
	}
	return verify(ctx, c, container, sums, out)
}

func login(ctx context.Context) (*client.Client, error) {
	auth, user, key := os.Getenv("ST_AUTH"), os.Getenv("ST_USER"), os.Getenv("ST_KEY")
	if auth == "" || user == "" || key == "" {
		return nil, errors.New("set ST_AUTH, ST_USER and ST_KEY")
	}
	c := &client.Client{}
	if err := c.Auth(ctx, auth, user, key); err != nil {
		return nil, fmt.Errorf("log in to %s as %s: %w", auth, user, err)
	}
	return c, nil
}

// uploadTree uploads every regular file under dir and returns each
// object's MD5 (hex) by name.
func uploadTree(ctx context.Context, c *client.Client, dir, container string, out io.Writer) (map[string]string, error) {
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		sum, size, err := uploadFile(ctx, c, path, container, name)
		if err != nil {
			return fmt.Errorf("upload %s: %w", path, err)
		}
		sums[name] = sum
		fmt.Fprintf(out, "uploaded %s/%s %d bytes md5 %s\n", container, name, size, sum)
		return nil
	})
	return sums, err
}

// uploadFile reads the file twice, once for its MD5 and once to send it,
// so a large file streams instead of sitting in memory.
func uploadFile(ctx context.Context, c *client.Client, path, container, name string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	sum, size, err := md5Of(f)
	if err != nil {
		return "", 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	h := http.Header{"Etag": {sum}}
	_, err = c.PutObject(ctx, container, name, f, size, h)
	return sum, size, err
}

// verify lists the container page by page and reads back every object it
// uploaded.
func verify(ctx context.Context, c *client.Client, container string, sums map[string]string, out io.Writer) error {
	seen := 0
	var marker string
	for {
		page, _, err := c.ListObjects(ctx, container, client.ListOptions{Marker: marker})
		if err != nil {
			return fmt.Errorf("list %s: %w", container, err)
		}
		if len(page) == 0 {
			break
		}
		for _, rec := range page {
			marker = rec.Name
			want, ok := sums[rec.Name]
			if !ok {
				continue // an object that was there before
			}
			if err := verifyObject(ctx, c, container, rec.Name, want); err != nil {
				return err
			}
			seen++
			fmt.Fprintf(out, "verified %s/%s %d bytes\n", container, rec.Name, rec.Bytes)
		}
	}
	if seen != len(sums) {
		return fmt.Errorf("listing of %s shows %d of the %d uploaded objects", container, seen, len(sums))
	}
	fmt.Fprintf(out, "%d objects in %s match their files\n", seen, container)
	return nil
}

func verifyObject(ctx context.Context, c *client.Client, container, name, want string) error {
	body, _, err := c.GetObject(ctx, container, name, nil)
	if err != nil {
		return fmt.Errorf("download %s/%s: %w", container, name, err)
	}
	defer body.Close()
	got, _, err := md5Of(body)
	if err != nil {
		return fmt.Errorf("download %s/%s: %w", container, name, err)
	}
	if got != want {
		return fmt.Errorf("%s/%s: md5 %s, file %s: %w", container, name, got, want, errMismatch)
	}
	return nil
}

func md5Of(r io.Reader) (string, int64, error) {
	h := md5.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}
