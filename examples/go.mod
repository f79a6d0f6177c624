module github.com/clerkkit/clerkkit/examples

go 1.26
