vcl 4.1;
# Varnish as caching reverse proxy for bench/cache_bench.sh. Builtin VCL otherwise: the hash is
# the URL (query string included) + Host, so the miss run's unique query strings all miss.
backend origin {
    .host = "127.0.0.1";
    .port = "@ORIGIN_PORT@";
}
sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
