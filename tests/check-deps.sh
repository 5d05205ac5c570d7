#!/bin/bash
# Checks every #include "module/..." in src/ against the layering table of
# docs/ARCHITECTURE.md: a module may include only itself and the modules it
# may use. Prints each violation as file:line and fails if there is any.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top/src" || exit 1

allowed() {
	case $1 in
	util) echo "util" ;;
	wire) echo "util wire" ;;
	conf) echo "util wire conf" ;;
	zone) echo "util wire conf zone" ;;
	cache) echo "util wire conf cache" ;;
	net) echo "util wire conf net" ;;
	auth) echo "util wire conf zone auth" ;;
	resolver) echo "util wire conf cache net resolver" ;;
	xfr) echo "util wire conf zone net xfr" ;;
	ctl) echo "util wire conf zone cache net auth resolver xfr ctl" ;;
	*) echo "" ;;
	esac
}

bad=0
checked=0
for file in */*.[ch]; do
	module=${file%%/*}
	ok=$(allowed "$module")
	if [ -z "$ok" ]; then
		echo "$file: module '$module' is not in the layering table"
		bad=$((bad + 1))
		continue
	fi
	while IFS=: read -r line inc; do
		checked=$((checked + 1))
		target=$(printf '%s' "$inc" | sed -n 's/^#include "\([a-z]*\)\/.*/\1/p')
		[ -n "$target" ] || continue
		case " $ok " in
		*" $target "*) ;;
		*) echo "$file:$line: '$module' may not include '$target'"; bad=$((bad + 1)) ;;
		esac
	done < <(grep -n '^#include "' "$file")
done
echo "checked $checked includes, $bad violations"
[ "$bad" -eq 0 ]
