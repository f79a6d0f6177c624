module github.com/clerkkit/clerkkit/interop/gocli

go 1.26

require github.com/clerkkit/clerkkit/core v0.0.0-00010101000000-000000000000

require github.com/hashicorp/golang-lru/v2 v2.0.7 // indirect

replace github.com/clerkkit/clerkkit/core => ../../core
