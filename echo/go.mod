module github.com/clerkkit/clerkkit/echo

go 1.26
