package gladly

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontdeskhq/frontdesk/connectors/internal/httpsrc"
	"github.com/frontdeskhq/frontdesk/tickets"
)

// Files customers send that Gladly keeps: an item's attachments, {id, contentType,
// filename, fileSize}, whose content Gladly serves to API callers only, as
// GET /conversation-items/{itemId}/attachments/{attachmentId}, which answers
// "303 See Other" to a URL the file downloads from ("Get Attachment",
// https://developer.gladly.com/rest/#operation/getAttachment). Slack shows such a file as
// a link to Frontdesk (Deps.Files): opening it asks Gladly where the file is now
// (Client.Attachment) and goes there, so Gladly's credentials never leave Frontdesk and
// the link outlives the URL Gladly gives.

// FileLinkTTL is how long a link in Slack to a customer's file in Gladly opens it.
const FileLinkTTL = 30 * 24 * time.Hour

// attachmentRef is the reference of attachment attID of item itemID that a file link
// links to and Client.Attachment resolves: "itemID/attID". Gladly's ids are URL-safe and
// hold no "/".
func attachmentRef(itemID, attID string) string { return itemID + "/" + attID }

// Attachment returns where the customer's file ref (a reference a file link was made for)
// can be downloaded now: it asks Gladly, as the API user, and returns the URL Gladly's
// 303 (or another redirect) names, without following it. A reference that is not one, or
// a file Gladly does not have (404, or 400: "conversation item content does not contain
// attachments"), is an error wrapping fs.ErrNotExist; other errors are Gladly's answers
// as the Client classifies them. Its signature is a bot.Locator.
func (c *Client) Attachment(ctx context.Context, ref string) (string, error) {
	item, att, ok := strings.Cut(ref, "/")
	if !ok || item == "" || att == "" || strings.Contains(att, "/") {
		return "", fmt.Errorf("gladly: %q is no attachment reference: %w", clipType(ref), fs.ErrNotExist)
	}
	const what = "gladly: fetching a customer's file"
	resp, err := c.send(ctx, http.MethodGet, what,
		"conversation-items/"+url.PathEscape(item)+"/attachments/"+url.PathEscape(att), nil, maxErrorBytes)
	if err != nil {
		return "", err
	}
	switch resp.Status {
	case http.StatusSeeOther, http.StatusFound, http.StatusTemporaryRedirect, http.StatusMovedPermanently, http.StatusPermanentRedirect:
		loc, err := resp.Location() // relative to the request's URL, if Gladly ever sends a relative one
		if err != nil || (loc.Scheme != "https" && loc.Scheme != "http") || loc.Host == "" {
			return "", fmt.Errorf("%s: answered %d without a usable Location", what, resp.Status)
		}
		return loc.String(), nil
	case http.StatusNotFound, http.StatusBadRequest:
		return "", fmt.Errorf("%s answered %d: %w", what, resp.Status, fs.ErrNotExist)
	}
	if err := httpsrc.Classify(what, resp.Status, resp.Header, c.now()); err != nil {
		return "", err
	}
	return "", tickets.Permanent(fmt.Errorf("%s answered %d, not a redirect to the file", what, resp.Status))
}

// fileLinks makes the links under which Slack shows the attachments of it
// (options.fileLink), one per attachment, in order; nil when there is no file link. A
// link that cannot be made (the signing key unreadable: Redis away) is an error worth a
// retry.
func (p *Processor) fileLinks(ctx context.Context, it *item, itemID string) ([]string, error) {
	if p.fileLink == nil || len(it.Content.Attachments) == 0 {
		return nil, nil
	}
	links := make([]string, len(it.Content.Attachments))
	for i, a := range it.Content.Attachments {
		if a.ID == "" || i >= tickets.MaxAttachments {
			continue
		}
		link, err := p.fileLink(ctx, attachmentRef(itemID, a.ID))
		if err != nil {
			return nil, fmt.Errorf("gladly: a link to a customer's file: %w", err)
		}
		links[i] = link
	}
	return links, nil
}

// customerMessage is the customer's item it as a ticket message, with links to its
// files.
func (p *Processor) customerMessage(ctx context.Context, it *item, itemID string) (tickets.Message, error) {
	links, err := p.fileLinks(ctx, it, itemID)
	if err != nil {
		return tickets.Message{}, err
	}
	return messageOf(it, itemID, links), nil
}
