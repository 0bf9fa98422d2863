# Varnish in front of Quire: public pages are kept until Quire purges what they show.
#
# Quire marks each cacheable page with a Surrogate-Key header (what the page shows) and, with
# QUIRE_CACHE_PURGE_URLS=http://<varnish>/, sends "PURGE /" with the keys a change touched in a
# Surrogate-Key header; this file bans exactly the pages carrying one of them. Set the backend to
# where gunicorn listens, and the purgers to the addresses of the app servers.
vcl 4.1;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.Surrogate-Key !~ "^[a-z0-9-]+( [a-z0-9-]+)*$") {
            return (synth(400, "Name the keys to purge in a Surrogate-Key header"));
        }
        # Keys are space-separated; a ban's regex may hold no space itself, hence [[:space:]].
        ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" + regsuball(req.http.Surrogate-Key, " ", "|")
            + ")([[:space:]]|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors (a session cookie) and the admin always reach Quire, which marks their pages private.
    if (req.url ~ "^/(admin|markdownx)/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Public pages read no cookie: one copy serves every reader.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Only what Quire marked as a public page is kept; 404s, redirects and the rest are not.
    if (!beresp.http.Surrogate-Key) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
