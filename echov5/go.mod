module github.com/clerkkit/clerkkit/echov5

go 1.26

require (
	github.com/clerkkit/clerkkit/core v0.0.0-00010101000000-000000000000
	github.com/labstack/echo/v5 v5.4.4
)

require github.com/hashicorp/golang-lru/v2 v2.0.7 // indirect

replace github.com/clerkkit/clerkkit/core => ../core
