package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/zap"

	"github.com/frontdeskhq/frontdesk/tickets"
)

// A customer's file whose link anyone can open (tickets.Attachment.Upload: a chatbot's
// URL attachment) is shared in Slack as a Slack file, where the message shows: the desk
// fetches it and uploads it with Slack's external upload flow (files.getUploadURLExternal,
// the upload, files.completeUploadExternal; slack-go's UploadFileContext). Nothing is
// written to disk: a file whose size its server announces is streamed through, any other
// is read into memory up to maxUploadBytes. A file that cannot be carried (the link
// fails, it is too large or empty, Slack refuses it) shows as a line saying why, with
// the link.

// maxUploadBytes bounds a customer's file the desk carries into Slack.
const maxUploadBytes = 25 << 20

// fetchTimeout bounds fetching one file and uploading it.
const fetchTimeout = time.Minute

// uploads remembers the files of a post that are in Slack already, by the post's key and
// the file's place, so that a retry of the post does not share them twice: in the
// process, and in the shared memory of every replica when the desk has one
// (RememberUploadsIn), so that a retry after a restart or on another replica skips them
// too. Only a crash in the moment between Slack's answer to the upload and the note of it
// can share that one file twice.
type uploads struct {
	mu   sync.Mutex
	done map[string]bool
	// shared, when set, keeps the same in Redis for every replica.
	shared UploadMemory
}

// UploadMemory is memory every Frontdesk process shares (store.Redis implements it):
// Seen records id in scope for ttl, Known reports whether it is recorded.
type UploadMemory interface {
	Seen(ctx context.Context, scope, id string, ttl time.Duration) (first bool, err error)
	Known(ctx context.Context, scope, id string) (bool, error)
}

// uploadScope is the UploadMemory scope of the files shared, and uploadFor how long
// they are remembered: longer than any outbox retry.
const (
	uploadScope = "desk-upload"
	uploadFor   = 7 * 24 * time.Hour
)

// RememberUploadsIn has the desk note the files it shared in m too (see uploads). Call
// it before the desk is used.
func (d *Desk) RememberUploadsIn(m UploadMemory) { d.uploads.shared = m }

// maxUploadsKept bounds uploads' memory; it forgets everything when full.
const maxUploadsKept = 10000

// has reports whether the file keyed key was shared; an error of the shared memory is
// one to retry.
func (u *uploads) has(ctx context.Context, key string) (bool, error) {
	u.mu.Lock()
	done := u.done[key]
	u.mu.Unlock()
	if done || u.shared == nil {
		return done, nil
	}
	return u.shared.Known(ctx, uploadScope, key)
}

// add notes that the file keyed key was shared. A failure of the shared memory is only
// logged: the file is in Slack, and this process remembers it.
func (u *uploads) add(ctx context.Context, log *zap.Logger, key string) {
	u.mu.Lock()
	if u.done == nil || len(u.done) >= maxUploadsKept {
		u.done = map[string]bool{}
	}
	u.done[key] = true
	u.mu.Unlock()
	if u.shared == nil {
		return
	}
	if _, err := u.shared.Seen(ctx, uploadScope, key, uploadFor); err != nil {
		log.Warn("a file shared in Slack was not noted: a retry on another replica may share it again", zap.Error(err))
	}
}

// badFile is a file that cannot be carried into Slack, and why.
type badFile struct{ why string }

func (e *badFile) Error() string { return e.why }

// ShareFiles shares m's files to upload in the thread of message under (the card).
func (d *Desk) ShareFiles(ctx context.Context, t *tickets.Ticket, m tickets.Message, under tickets.Card, key string) error {
	return d.shareFiles(ctx, t, m, under.Channel, under.TS, key)
}

// shareFiles shares m's files to upload in channel (in thread when set), in order; what
// cannot be shared is said in a line keyed after key. Its errors are Slack's, to retry.
func (d *Desk) shareFiles(ctx context.Context, t *tickets.Ticket, m tickets.Message, channel, thread, key string) error {
	who, _ := authorOf(t, m)
	for i, a := range m.Attachments {
		if !a.Upload {
			continue
		}
		k := fmt.Sprintf("%s:file:%d", key, i)
		done, err := d.uploads.has(ctx, k)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		name := fileName(a)
		err = d.shareFile(ctx, a, name, "_"+esc(who)+" sent a file_", channel, thread)
		var bad *badFile
		if errors.As(err, &bad) {
			text := fmt.Sprintf(":warning: The customer's file *%s* could not be shared here: %s. <%s|Open the link>",
				esc(clip(name, 200)), esc(bad.why), linkURL(a.URL))
			_, err = d.post(ctx, channel, thread, k, slack.MsgOptionText(text, false))
		}
		if err != nil {
			return err
		}
		d.uploads.add(ctx, d.log, k)
	}
	return nil
}

// shareFile fetches a and uploads it as name, with comment as its message's text.
func (d *Desk) shareFile(ctx context.Context, a tickets.Attachment, name, comment, channel, thread string) error {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return &badFile{"its link is not one Frontdesk can open"}
	}
	resp, err := d.fetch.Do(req)
	if err != nil {
		return &badFile{"its link did not answer"}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &badFile{fmt.Sprintf("its link answered %d", resp.StatusCode)}
	}
	var body io.Reader
	size := resp.ContentLength
	switch {
	case size > maxUploadBytes:
		return &badFile{fmt.Sprintf("it is %s, more than the %s Frontdesk carries", megabytes(size), megabytes(maxUploadBytes))}
	case size > 0:
		body = io.LimitReader(resp.Body, size)
	default:
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxUploadBytes+1))
		if err != nil {
			return &badFile{"its link broke off"}
		}
		if len(b) > maxUploadBytes {
			return &badFile{fmt.Sprintf("it is more than the %s Frontdesk carries", megabytes(maxUploadBytes))}
		}
		body, size = bytes.NewReader(b), int64(len(b))
	}
	if size == 0 {
		return &badFile{"it is empty"}
	}
	_, err = d.api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: body, FileSize: int(size), Filename: name,
		Title: name, InitialComment: comment, Channel: channel, ThreadTimestamp: thread})
	if err == nil {
		return nil
	}
	err = classify("files.completeUploadExternal", err)
	if tickets.IsPermanent(err) {
		return &badFile{"Slack refused it (" + slackCode(err) + ")"}
	}
	return err
}

// fileName is what a's file is called in Slack: its name, else the last part of its
// link's path, else "file".
func fileName(a tickets.Attachment) string {
	if a.Name != "" {
		return clip(a.Name, 200)
	}
	if u, err := url.Parse(a.URL); err == nil {
		if base := path.Base(u.Path); base != "." && base != "/" && base != "" {
			return clip(base, 200)
		}
	}
	return "file"
}

// megabytes writes n bytes as "25 MB".
func megabytes(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }
