module github.com/clerkkit/clerkkit/gin

go 1.26
