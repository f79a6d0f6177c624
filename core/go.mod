module github.com/clerkkit/clerkkit/core

go 1.26
