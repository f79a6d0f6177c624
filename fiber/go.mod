module github.com/clerkkit/clerkkit/fiber

go 1.26
