package demo

import (
	"fmt"
	"os"
	"time"

	clerkredis "github.com/clerkkit/clerkkit/redis"
	"github.com/redis/go-redis/v9"
)

// redisCache connects the token cache shared by replicas. The Clerk secret
// key, which every replica has anyway, derives its encryption key; the
// publishable key keeps instances sharing one Redis apart.
func (a *App) redisCache(url, secretKey, instance string) (*clerkredis.Cache, error) {
	ropts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvRedisURL, err)
	}
	ropts.ContextTimeoutEnabled = true
	rdb := redis.NewClient(ropts)
	opts := []clerkredis.Option{
		clerkredis.WithSecret([]byte(secretKey)),
		clerkredis.WithInstance(instance),
		clerkredis.WithLogger(a.Logger),
	}
	if v := os.Getenv(EnvRedisTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			_ = rdb.Close()
			return nil, fmt.Errorf("%s: %w", EnvRedisTimeout, err)
		}
		opts = append(opts, clerkredis.WithTimeout(d))
	}
	cache, err := clerkredis.New(rdb, opts...)
	if err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("%s: %w", EnvRedisURL, err)
	}
	a.closers = append(a.closers, rdb.Close)
	return cache, nil
}
