#!/usr/bin/env bash
# Refreshes the browser assets the server ships (assets/vendor/), from the npm registry,
# at the versions pinned below. Run it after changing a version, check the pages
# (cargo test --test api browser), and commit the result. The server never fetches
# anything at run time: these files are compiled into its binary.
set -euo pipefail
GRAPHIQL=3.8.3      # the last GraphiQL with a UMD build (4.x is ESM only)
REACT=18.3.1        # GraphiQL 3 needs React 18
GRAPHQL_WS=5.16.2   # the last graphql-ws with a UMD build

cd "$(dirname "$0")/.."
out=assets/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" "graphql-ws@$GRAPHQL_WS" >/dev/null)
for t in "$work"/*.tgz; do
    d="$work/$(basename "$t" .tgz)"
    mkdir -p "$d" && tar xzf "$t" -C "$d"
done
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$out/"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$out/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/"
cp "$work/graphql-ws-$GRAPHQL_WS/package/umd/graphql-ws.min.js" "$out/"
rm -f "$out"/LICENSE.*
for p in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT" "graphql-ws-$GRAPHQL_WS"; do
    cp "$work/$p/package/LICENSE" "$out/LICENSE.$p"
done
# Source maps are not shipped: without these comments no browser asks for them.
sed -i 's|//# sourceMappingURL=graphiql.min.js.map||' "$out/graphiql.min.js"
sed -i 's|/\*# sourceMappingURL=graphiql.min.css.map\*/||' "$out/graphiql.min.css"
echo "updated $out: graphiql $GRAPHIQL, react $REACT, graphql-ws $GRAPHQL_WS"
