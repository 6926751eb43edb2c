package feed_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/org"
)

// BenchmarkList reads the newest page of a feed of 200 posts with
// reactions, as an alumnus: the query a feed page runs.
func BenchmarkList(b *testing.B) {
	e := apptest.New(b)
	ctx := context.Background()
	s := e.App.Feed
	var ms []org.Member
	for i := range 10 {
		ms = append(ms, e.AddMember(b, e.Org, org.Alumni, fmt.Sprintf("bench%d@sakura.example.jp", i)))
	}
	for i := range 200 {
		id, err := s.Create(ctx, e.Org, viewer(ms[i%10]), feed.NewPost{Body: "ベンチマークの**投稿**です", Audience: audience.Audience{Kind: audience.Network}})
		if err != nil {
			b.Fatal(err)
		}
		for k := range i % 4 {
			if _, err := s.React(ctx, e.Org, viewer(ms[(i+k)%10]), id, feed.Reactions[k]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		posts, _, err := s.List(ctx, e.Org.ID, viewer(ms[0]), feed.ListOptions{})
		if err != nil || len(posts) != feed.PageSize {
			b.Fatal(len(posts), err)
		}
	}
}
