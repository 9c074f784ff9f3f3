#!/bin/sh
# Waits for the Temporal frontend, then creates the namespace and the report search attributes.
# Idempotent: re-running it against a set-up cluster changes nothing.
set -eu
# With the server's JWT authorization: the admin token (TEMPORAL_API_KEY_FILE), sent in clear inside the compose network.
if [ -n "${TEMPORAL_API_KEY_FILE:-}" ]; then
  TEMPORAL_API_KEY="$(cat "$TEMPORAL_API_KEY_FILE")"; TEMPORAL_TLS=false; export TEMPORAL_API_KEY TEMPORAL_TLS
fi
ADDR="${TEMPORAL_ADDRESS:-temporal:7233}"
NS="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$ADDR" >/dev/null 2>&1; do echo "waiting for $ADDR"; sleep 2; done
temporal operator namespace describe --address "$ADDR" --namespace "$NS" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$ADDR" --namespace "$NS" --retention 30d
for spec in SpdrStatus:Keyword SpdrSeverity:Keyword SpdrJeopardy:Keyword SpdrServiceId:Keyword \
            SpdrAssignee:KeywordList SpdrEscalationLevel:Int SpdrDeadline:Datetime \
            SpdrResponseState:Keyword SpdrUpdateState:Keyword SpdrParentReportId:Keyword \
            SpdrRootCauseResourceIds:KeywordList SpdrWindowState:Keyword SpdrWindowScope:KeywordList; do
  name="${spec%%:*}"; type="${spec##*:}"
  temporal operator search-attribute create --address "$ADDR" --namespace "$NS" --name "$name" --type "$type" 2>/dev/null \
    || echo "search attribute $name already present"
done
echo "namespace $NS and search attributes ready"
