#!/usr/bin/env bash
# Team mode benchmark: the first `frontline team sync` against a Request Tracker 5 that
# already holds 5,000 tickets (the row "first sync of 5,000 tickets" in BENCHMARKS.md).
#
#   benches/team_first_sync.sh                 run from the repository root
#
# What it does, all in one run:
#   1. Starts a private RT 5 (Debian package request-tracker5) in a temp dir: SQLite,
#      reps rep1..rep3 with rights on queues General and Billing (the same setup as
#      tests/it/rt_server/mod.rs, including the low bcrypt cost), `rt-server` on a free
#      port on 127.0.0.1 only, with an access log (that log is how requests are counted).
#   2. Builds the fixture in-process with RT's Perl API (no HTTP): TICKETS tickets from
#      REQUESTORS distinct customers over General and Billing, each with a first message of
#      a few lines; every 5th has a follow-up from the customer and a comment by rep3;
#      every 10th is owned by rep2, the rest are unowned. Scrips (notifications,
#      autoreplies) are switched off while it is built and back on afterwards: with them RT
#      spends ~0.23 s a ticket, without them 0.02-0.035 s (about 3 minutes for 5,000 on a
#      busy 2-core machine). The tickets are written in one SQLite transaction per 500.
#   3. Measures, as rep1:
#        - the floor: the product's own ticket listing (the paged `GET /REST/2.0/tickets`
#          queries of src/team/rt.rs `list`, unowned and mine) fetched by one curl process;
#        - `frontline team sync --json` on a fresh workspace: wall time of the whole
#          process, HTTP requests and response bytes (from rt-server's access log);
#        - a second `frontline team sync --json` right after (nothing new).
#   4. Checks the result: `frontline queue --json` must list exactly RT's unowned open
#      tickets of the two queues (ids compared with RT's), none of rep2's; the threads and
#      notes are counted in the workspace when sqlite3 is installed.
#   Prints a results table. Everything it starts is stopped and its temp dir removed.
#
# Environment:
#   FRONTLINE_BIN   the binary to measure (default target/release/frontline, relative to the
#                   repository root; build it first with `cargo build --release`)
#   TICKETS         how many tickets (default 5000)
#   REQUESTORS      how many distinct customer addresses (default 1500)
#   KEEP=1          keep the temp dir (RT database, access log, workspace) for a look
# Needs request-tracker5, perl (RT's), curl; sqlite3 optional.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN="${FRONTLINE_BIN:-target/release/frontline}"
TICKETS="${TICKETS:-5000}"
REQUESTORS="${REQUESTORS:-1500}"
RT_SERVER=/usr/share/request-tracker5/libexec/rt-server
RT_SETUP=/usr/sbin/rt-setup-database
RT_LIB=/usr/share/request-tracker5/lib

for need in "$RT_SERVER" "$RT_SETUP"; do
    [ -x "$need" ] || { echo "$need not found: apt-get install request-tracker5" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "curl not found" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$BIN not found: cargo build --release, or set FRONTLINE_BIN" >&2; exit 2; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# ---------------------------------------------------------------- temp dir and cleanup
tmp="$(mktemp -d /tmp/frontline-team-bench.XXXXXX)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }

# A port nobody listens on right now, on loopback (the OS picks it).
PORT="$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1)->sockport')"
URL="http://127.0.0.1:$PORT"
export RT_SITE_CONFIG="$tmp/RT_SiteConfig.pm" RT_SITE_CONFIG_DIR="$tmp/conf.d"
mkdir -p "$tmp/conf.d" "$tmp/mason" "$tmp/session" "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/floor"

# ---------------------------------------------------------------- 1. the private RT
# As tests/it/rt_server/mod.rs: bcrypt cost 4, because RT checks the password with bcrypt
# on every REST call and its default cost (12) costs about a second of server time a call.
cat >"$tmp/RT_SiteConfig.pm" <<EOF
Set(\$rtname, 'frontline-bench');
Set(\$Organization, 'frontline-bench');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$tmp/rt.db');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $PORT);
Set(\$WebPath, '');
Set(\$WebBaseURL, '$URL');
Set(\$MailCommand, 'mbox');
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
Set(\$MasonDataDir, '$tmp/mason');
Set(\$MasonSessionDir, '$tmp/session');
Set(\$Timezone, 'UTC');
Set(\$BcryptCost, 4);
1;
EOF
cat >"$tmp/reps.pl" <<'EOF'
@Users = map { { Name => "rep$_", Password => "rep$_-secret-pw", EmailAddress => "rep$_\@team.test", RealName => "Rep $_", Privileged => 1 } } 1..3;
@Groups = ( { Name => 'Reps', Description => 'Frontline reps', Members => { Users => [ map { "rep$_" } 1..3 ] } } );
@Queues = ( { Name => 'Billing', Description => 'Billing', CorrespondAddress => '', CommentAddress => '' } );
@ACL = map { my $q = $_; map { { GroupId => 'Reps', GroupDomain => 'UserDefined', Queue => $q, Right => $_ } }
    qw(SeeQueue ShowTicket CreateTicket ReplyToTicket CommentOnTicket OwnTicket TakeTicket StealTicket ModifyTicket ShowTicketComments Watch) } qw(General Billing);
1;
EOF
setup() {
    if ! "$RT_SETUP" "$@" >"$tmp/setup.log" 2>&1 || grep -q '\[critical\]\|\[error\]' "$tmp/setup.log"; then
        echo "rt-setup-database $* failed:" >&2; cat "$tmp/setup.log" >&2; exit 1
    fi
}
echo "RT: setting up $tmp (port $PORT)"
setup --action init --skip-create
setup --action insert --datafile "$tmp/reps.pl"

# ---------------------------------------------------------------- 2. the fixture
cat >"$tmp/fixture.pl" <<'EOF'
# Writes the tickets straight through RT's API (RT::Ticket->Create, _RecordNote, Comment),
# as root; a customer's follow-up is recorded as that customer, the comment as rep3.
use strict;
use warnings;
use RT;
RT::LoadConfig();
RT::Init();
use MIME::Entity;
use Time::HiRes qw(time);

my ($count, $distinct, $expected_file) = @ARGV;
my $t0 = time;
my $root = RT::CurrentUser->new(RT->SystemUser);
$root->Load('root');
my $rep3 = RT::CurrentUser->new(RT->SystemUser);
$rep3->Load('rep3');

# Scrips off while building (no mail, no autoreplies): ten times faster. Back on at the end.
my @off;
my $scrips = RT::Scrips->new(RT->SystemUser);
$scrips->LimitToEnabled;
while (my $s = $scrips->Next) { my ($ok) = $s->SetDisabled(1); push @off, $s->id if $ok }

sub text { MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8', Encoding => '8bit', Data => [map {"$_\n"} @_]) }

my (%as, %e);
my $batch = 500;
$RT::Handle->BeginTransaction;
for my $i (1 .. $count) {
    my $who = 'customer' . (($i * 7919) % $distinct + 1) . '@example.com';
    my $queue = $i % 3 == 0 ? 'Billing' : 'General';
    my $owned = $i % 10 == 5;           # rep2's: must not reach rep1's queue
    my $extra = $i % 5 == 2;            # a customer's follow-up and a rep's comment
    my $order = 100000 + $i;
    my $t = RT::Ticket->new($root);
    my ($id, undef, $msg) = $t->Create(
        Queue     => $queue,
        Subject   => "Order #$order: where is my parcel? ($queue)",
        Requestor => [$who],
        ($owned ? (Owner => 'rep2') : ()),
        MIMEObj   => text("Hello,", "", "I ordered #$order three weeks ago and it has not arrived.",
                          "The tracking page has said 'label created' since then.",
                          "Could you check with the carrier, please?", "", "Thanks, customer $i"),
    );
    die "ticket $i: $msg\n" unless $id;
    if ($extra) {
        my $cu = $as{$who} ||= do { my $u = RT::CurrentUser->new(RT->SystemUser); $u->LoadByEmail($who); $u };
        my $mine = RT::Ticket->new($cu);
        $mine->Load($id);
        my ($ok, $m) = $mine->_RecordNote(NoteType => 'Correspond',
            MIMEObj => text("Any news on #$order?", "It is still not here.", "", "customer $i"));
        die "follow-up on $id: $m\n" unless $ok;
        my $theirs = RT::Ticket->new($rep3);
        $theirs->Load($id);
        ($ok, $m) = $theirs->Comment(MIMEObj => text("Carrier says: label created, no scan yet (#$order)."));
        die "comment on $id: $m\n" unless $ok;
    }
    if ($owned) { $e{rep2}++ } else {
        $e{unowned}++;
        $e{messages} += $extra ? 2 : 1;
        $e{notes} += $extra ? 1 : 0;
        $e{"customer $who"} = 1;
    }
    if ($i % $batch == 0) { $RT::Handle->Commit; $RT::Handle->BeginTransaction }
    printf STDERR "  %d tickets, %.0f s\n", $i, time - $t0 if $i % 1000 == 0;
}
$RT::Handle->Commit;
for my $id (@off) { my $s = RT::Scrip->new(RT->SystemUser); $s->Load($id); $s->SetDisabled(0) }
my $customers = grep { /^customer / } keys %e;
open my $out, '>', $expected_file or die "$expected_file: $!";
printf $out "%s=%d\n", $_, $e{$_} || 0 for qw(unowned rep2 messages notes);
printf $out "customers=%d\n", $customers;
close $out;
EOF
echo "RT: building the fixture ($TICKETS tickets, $REQUESTORS requestors) with RT's Perl API"
t0=$(now_ms)
perl -I"$RT_LIB" "$tmp/fixture.pl" "$TICKETS" "$REQUESTORS" "$tmp/expected"
fixture_ms=$(( $(now_ms) - t0 ))
expect() { sed -n "s/^$1=//p" "$tmp/expected"; }
echo "  fixture built in $(secs $fixture_ms) s"

# ---------------------------------------------------------------- start rt-server
# Only 127.0.0.1. The access log (one line per request, with the response's size) is
# where the request counts and bytes below come from.
ACCESS="$tmp/access.log"
: >"$ACCESS"
"$RT_SERVER" --host 127.0.0.1 --port "$PORT" --max-workers 3 --access-log "$ACCESS" >"$tmp/server.log" 2>&1 &
server_pid=$!
up=""
for _ in $(seq 1 300); do
    if curl -sf -o /dev/null -u root:password "$URL/REST/2.0/rt"; then up=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
done
[ -n "$up" ] || { echo "rt-server did not answer on $URL:" >&2; cat "$tmp/server.log" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
# curl as a user; GET with the query pairs given as name=value words.
rt_get() {
    local user="$1" pass="$2" path="$3"; shift 3
    local args=()
    for pair in "$@"; do args+=(--data-urlencode "$pair"); done
    curl -sS -f -g -G -u "$user:$pass" "${args[@]}" "$URL/REST/2.0/$path"
}
json() { perl -MJSON::PP -0777 -ne "my \$j = decode_json(\$_); $1"; }

log_lines() { wc -l <"$ACCESS" | tr -d ' '; }
# requests, response bytes and non-2xx answers in the access log after line $1
log_stats() {
    sleep 0.3 # the server writes its line just after the answer
    tail -n +"$(( $1 + 1 ))" "$ACCESS" |
        awk -F'"' '{ split($3, a, " "); n++; if (a[2] ~ /^[0-9]+$/) b += a[2]; if (a[1] !~ /^2/) bad++ }
                   END { printf "%d %d %d\n", n, b, bad }'
}
# Requests by endpoint after line $1 (query strings cut off, ticket numbers folded), with
# the approximate server time each took: requests are sequential, so the time between one
# logged answer and the next (the log has whole seconds; $2 is when the run started, Unix
# seconds) is the next request's; summed over many requests it is close enough to say
# where the time goes.
log_paths() {
    tail -n +"$(( $1 + 1 ))" "$ACCESS" |
        awk -F'"' -v start="$2" '
            { split($1, d, "["); split(d[2], hms, ":"); t = hms[2] * 3600 + hms[3] * 60 + substr(hms[4], 1, 2)
              prev = NR == 1 ? start % 86400 : last; dt = t - prev; if (dt < 0) dt += 86400; last = t
              split($2, r, " "); p = r[2]; sub(/\?.*/, "", p); sub(/^\/REST\/2\.0\//, "", p); gsub(/\/[0-9]+/, "/N", p)
              c[r[1] " " p]++; s[r[1] " " p] += dt }
            END { for (k in c) printf "      %6d  %-28s ~%d s\n", c[k], k, s[k] }' | sort -rn
}

REP=rep1
PASS=rep1-secret-pw
QUEUES="(Queue = 'General' OR Queue = 'Billing')"
UNOWNED_SQL="$QUEUES AND Owner = 'Nobody' AND Status = '__Active__'"
MINE_SQL="$QUEUES AND Owner = '$REP' AND Status = '__Active__'"
FIELDS=(fields=Owner,Status,Subject,Queue,Requestor,Created 'fields[Queue]=Name' 'fields[Requestor]=EmailAddress')

# RT's own count of the tickets that should wait in rep1's queue.
rt_total() { rt_get root password tickets "query=$1" per_page=1 | json 'print $j->{total}'; }
rt_unowned=$(rt_total "$UNOWNED_SQL")
rt_mine=$(rt_total "$MINE_SQL")
rt_rep2=$(rt_total "$QUEUES AND Owner = 'rep2'")

# Warm-up: each of the three workers answers each kind of search once before anything is
# timed (the first answer of a fresh worker compiles code and is slower).
for _ in 1 2 3; do
    rt_get "$REP" "$PASS" tickets "query=$UNOWNED_SQL" per_page=5 "${FIELDS[@]}" >/dev/null
    rt_get "$REP" "$PASS" transactions 'query=[{"field":"id","operator":">","value":0}]' per_page=5 >/dev/null
    rt_get "$REP" "$PASS" attachments 'query=[{"field":"TransactionId","operator":"=","value":1}]' \
        fields=Content,ContentType,TransactionId >/dev/null
done

# ---------------------------------------------------------------- 3a. the floor
# The listing src/team/rt.rs `list` asks for (unowned, then the rep's own), page by page,
# 100 a page, fetched by one curl process. The page counts come from RT's totals above.
floor_urls="$tmp/floor/urls"
: >"$floor_urls"
add_pages() {
    local tag="$1" sql="$2" total="$3" pages page
    pages=$(( total / 100 + 1 )) # a client stops at the first page that is not full
    for page in $(seq 1 "$pages"); do
        perl -MURI::Escape -e 'my ($u, $f, @q) = @ARGV; my @p; while (my ($k, $v) = splice @q, 0, 2) { push @p, uri_escape($k) . "=" . uri_escape($v) }
            print "url = \"$u?" . join("&", @p) . "\"\noutput = \"$f\"\n"' \
            "$URL/REST/2.0/tickets" "$tmp/floor/$tag.$page.json" query "$sql" orderby id \
            fields Owner,Status,Subject,Queue,Requestor,Created 'fields[Queue]' Name 'fields[Requestor]' EmailAddress \
            per_page 100 page "$page" >>"$floor_urls"
    done
}
add_pages unowned "$UNOWNED_SQL" "$rt_unowned"
add_pages mine "$MINE_SQL" "$rt_mine"
mark=$(log_lines)
t0=$(now_ms)
curl -sS -f -g -u "$REP:$PASS" -K "$floor_urls"
floor_ms=$(( $(now_ms) - t0 ))
read -r floor_reqs floor_bytes floor_bad < <(log_stats "$mark")
# The ids RT listed for rep1 (what the queue must hold).
perl -MJSON::PP -0777 -ne 'print "$_->{id}\n" for @{decode_json($_)->{items}}' "$tmp"/floor/unowned.*.json |
    sort >"$tmp/rt_ids"
floor_items=$(wc -l <"$tmp/rt_ids" | tr -d ' ')

# ---------------------------------------------------------------- 3b. first sync, fresh workspace
cat >"$tmp/config/rep1.toml" <<EOF
[team]
backend = "rt"
url = "$URL"
user = "$REP"
auth = "basic"
queues = ["General", "Billing"]
poll_seconds = 2
EOF
WS="$tmp/data/team-bench.db"
frontline() {
    env -i PATH="$PATH" HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" LANG=C.UTF-8 \
        FRONTLINE_TEAM_SECRET="$PASS" "$BIN" --db "$WS" --config "$tmp/config/rep1.toml" "$@"
}
echo "frontline: first sync as $REP on a fresh workspace"
uptime_during="$(uptime)"
mark=$(log_lines)
started=$(date -u +%s)
t0=$(now_ms)
first_rc=0
frontline team sync --json >"$tmp/sync1.json" 2>"$tmp/sync1.err" || first_rc=$?
sync1_ms=$(( $(now_ms) - t0 ))
uptime_after="$(uptime)"
read -r sync1_reqs sync1_bytes sync1_bad < <(log_stats "$mark")
log_paths "$mark" "$started" >"$tmp/sync1.paths"
mark1=$mark

# ---------------------------------------------------------------- 3c. second sync (nothing new)
mark=$(log_lines)
t0=$(now_ms)
second_rc=0
frontline team sync --json >"$tmp/sync2.json" 2>"$tmp/sync2.err" || second_rc=$?
sync2_ms=$(( $(now_ms) - t0 ))
read -r sync2_reqs sync2_bytes sync2_bad < <(log_stats "$mark")

# ---------------------------------------------------------------- 4. checks
problems=()
[ "$first_rc" = 0 ] || problems+=("first sync exited $first_rc: $(head -c 400 "$tmp/sync1.err")")
[ "$second_rc" = 0 ] || problems+=("second sync exited $second_rc: $(head -c 400 "$tmp/sync2.err")")
# One value of a JSON file by its dotted path (true prints 1, false 0).
field() { json "my \$v = \$j; \$v = \$v->{\$_} for split /[.]/, '$2'; print defined \$v ? \"\$v\" : ''" <"$1" 2>/dev/null || echo '?'; }
s1_online=$(field "$tmp/sync1.json" pull.online)
s1_new=$(field "$tmp/sync1.json" pull.new_contacts)
s1_msgs=$(field "$tmp/sync1.json" pull.messages)
s2_online=$(field "$tmp/sync2.json" pull.online)
s2_changes=$(field "$tmp/sync2.json" pull.changes)
s2_new=$(field "$tmp/sync2.json" pull.new_contacts)
[ "$s1_online" = 1 ] || problems+=("first sync: pull.online is '$s1_online' (the help desk was treated as offline)")
[ "$s2_online" = 1 ] || problems+=("second sync: pull.online is '$s2_online'")
[ "$sync1_bad" = 0 ] || problems+=("first sync: $sync1_bad answers were not 2xx")

frontline queue --json >"$tmp/queue.json" 2>"$tmp/queue.err" || problems+=("queue --json failed: $(head -c 300 "$tmp/queue.err")")
json 'for (@$j) { print "$_->{team}{id}\n" if $_->{team} && $_->{team}{backend} eq "rt" }' <"$tmp/queue.json" | sort >"$tmp/queue_ids" || true
json 'print scalar grep { !$_->{team} } @$j' <"$tmp/queue.json" >"$tmp/queue_own" 2>/dev/null || echo '?' >"$tmp/queue_own"
queue_count=$(wc -l <"$tmp/queue_ids" | tr -d ' ')
missing=$(comm -23 "$tmp/rt_ids" "$tmp/queue_ids" | wc -l | tr -d ' ')
extra=$(comm -13 "$tmp/rt_ids" "$tmp/queue_ids" | wc -l | tr -d ' ')
# rep2's tickets, from RT, must be absent.
rep2_ids="$tmp/rep2_ids"
: >"$rep2_ids"
for page in $(seq 1 $(( rt_rep2 / 100 + 1 ))); do
    rt_get root password tickets "query=$QUEUES AND Owner = 'rep2'" per_page=100 "page=$page" |
        json 'print "$_->{id}\n" for @{$j->{items}}' >>"$rep2_ids"
done
sort -o "$rep2_ids" "$rep2_ids"
rep2_in_queue=$(comm -12 "$rep2_ids" "$tmp/queue_ids" | wc -l | tr -d ' ')

[ "$rt_unowned" = "$(expect unowned)" ] || problems+=("RT counts $rt_unowned unowned tickets, the fixture made $(expect unowned)")
[ "$floor_items" = "$rt_unowned" ] || problems+=("the floor listing returned $floor_items tickets, RT counts $rt_unowned")
[ "$queue_count" = "$rt_unowned" ] || problems+=("queue --json lists $queue_count team contacts, RT has $rt_unowned unowned open tickets in General+Billing")
[ "$missing" = 0 ] || problems+=("$missing of RT's unowned tickets are missing from the queue (first: $(comm -23 "$tmp/rt_ids" "$tmp/queue_ids" | head -5 | tr '\n' ' '))")
[ "$extra" = 0 ] || problems+=("$extra queue contacts are not RT unowned tickets (first: $(comm -13 "$tmp/rt_ids" "$tmp/queue_ids" | head -5 | tr '\n' ' '))")
[ "$rep2_in_queue" = 0 ] || problems+=("$rep2_in_queue of rep2's tickets are in rep1's queue")
[ "$s1_new" = "$rt_unowned" ] || problems+=("first sync reports $s1_new new contacts, RT has $rt_unowned")
[ "$s2_new" = 0 ] || problems+=("second sync reports $s2_new new contacts (expected 0)")

ws_msgs='-' ws_notes='-' ws_empty='-' ws_customers='-'
if command -v sqlite3 >/dev/null; then
    q() { sqlite3 "$WS" "$1" 2>/dev/null || echo '?'; }
    team_contacts="SELECT contact_id FROM team_tickets"
    ws_msgs=$(q "SELECT count(*) FROM contact_messages WHERE contact_id IN ($team_contacts)")
    ws_notes=$(q "SELECT count(*) FROM notes WHERE contact_id IN ($team_contacts)")
    ws_empty=$(q "SELECT count(*) FROM contacts WHERE id IN ($team_contacts) AND (body IS NULL OR body = '')")
    ws_customers=$(q "SELECT count(DISTINCT customer_id) FROM contacts WHERE id IN ($team_contacts)")
    [ "$ws_msgs" = "$(expect messages)" ] || problems+=("workspace threads hold $ws_msgs messages, RT has $(expect messages) (first messages + customers' follow-ups)")
    [ "$ws_notes" = "$(expect notes)" ] || problems+=("workspace holds $ws_notes notes on team contacts, RT has $(expect notes) comments")
    [ "$ws_empty" = 0 ] || problems+=("$ws_empty team contacts have an empty body (the ticket's first message is missing)")
    [ "$ws_customers" = "$(expect customers)" ] || problems+=("team contacts belong to $ws_customers customers, the tickets have $(expect customers) requestors")
fi

# ---------------------------------------------------------------- results
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "-" }'; }
kib() { awk -v b="$1" 'BEGIN { if (b < 10240) printf "%d B", b; else printf "%.0f KiB", b / 1024 }'; }
echo
echo "Team mode, first sync of $TICKETS tickets (RT 5 on 127.0.0.1, SQLite; as $REP; $rt_unowned unowned open in General+Billing)"
echo "fixture: $TICKETS tickets, $REQUESTORS requestors, built in $(secs $fixture_ms) s with RT's Perl API (scrips off)"
echo "load average before / after the first sync: ${uptime_during#*average: } / ${uptime_after#*average: }"
echo
printf '%-46s %10s %9s %11s\n' "measurement" "wall" "requests" "bytes"
printf '%-46s %9ss %9s %11s\n' "floor: ticket listing with curl (100/page)" "$(secs $floor_ms)" "$floor_reqs" "$(kib "$floor_bytes")"
printf '%-46s %9ss %9s %11s\n' "frontline team sync, fresh workspace" "$(secs $sync1_ms)" "$sync1_reqs" "$(kib "$sync1_bytes")"
printf '%-46s %10s %9s\n' "  ratio to the floor" "$(ratio "$sync1_ms" "$floor_ms")" "$(ratio "$sync1_reqs" "$floor_reqs")"
printf '%-46s %9ss %9s %11s\n' "frontline team sync again (nothing new)" "$(secs $sync2_ms)" "$sync2_reqs" "$(kib "$sync2_bytes")"
echo
echo "first sync requests by endpoint (count, endpoint, ~server seconds from the access log):"
cat "$tmp/sync1.paths"
echo
echo "first sync: online=$s1_online new_contacts=$s1_new messages=$s1_msgs; second: online=$s2_online changes=$s2_changes new_contacts=$s2_new"
echo "queue --json: $queue_count team contacts (RT: $rt_unowned unowned, $rt_mine $REP's, $rt_rep2 rep2's); rep2's in the queue: $rep2_in_queue; missing: $missing; extra: $extra"
echo "workspace: $ws_msgs thread messages (RT: $(expect messages)), $ws_notes notes (RT: $(expect notes)), $ws_empty empty bodies, $ws_customers customers (RT: $(expect customers))"
if [ ${#problems[@]} -eq 0 ]; then
    echo "checks: all passed"
else
    echo "checks: ${#problems[@]} problem(s)"
    for p in "${problems[@]}"; do echo "  - $p"; done
    exit 1
fi
