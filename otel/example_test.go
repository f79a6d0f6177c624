package clerkotel_test

import (
	"fmt"
	"log"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkotel "github.com/clerkkit/clerkkit/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ExampleNewObserver wires one Observer into a Client and the
// Authenticator that uses it. Without WithTracerProvider and
// WithMeterProvider the global providers are used.
func ExampleNewObserver() {
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider()
	obs, err := clerkotel.NewObserver(clerkotel.WithTracerProvider(tp), clerkotel.WithMeterProvider(mp))
	if err != nil {
		log.Fatal(err)
	}
	client, err := clerk.NewClient("sk_test_example", clerk.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithClient(client), clerk.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth != nil)
	// Output: true
}
