module github.com/clerkkit/clerkkit/core

go 1.26

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/hashicorp/golang-lru/v2 v2.0.7
)

require go.uber.org/goleak v1.3.0
