# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for xenmig                              -*- shell-script -*-
# Sub-commands come from 'xenmig --help', options from
# 'xenmig <command> --help', so new commands and options need no edit
# here. Domain names come from 'xenmig list' (the local xend, or the
# --connect URI on the line); any failure there just means no names.
# Commands, options and domain names have no spaces: word splitting of
# compgen -W output is what we want there.
# shellcheck disable=SC2207

# _xenmig_opts HELP-TEXT: the options a --help text documents (its
# usage line and the leading column of its option table).
_xenmig_opts()
{
    awk '
        /^usage:/ {
            for (i = 3; i <= NF; i++) {
                w = $i; gsub(/[][|]/, "", w)
                if (w ~ /^--?[A-Za-z]/) print w
            }
            next
        }
        /^ +-/ {
            for (i = 1; i <= NF; i++) {
                w = $i; sub(/,$/, "", w)
                if (w !~ /^--?[A-Za-z]/) break
                print w
                if ($i !~ /,$/) break
            }
        }
    ' <<<"$1"
}

# _xenmig_optarg HELP-TEXT OPTION: the argument name OPTION takes
# ("URI", "FILE"), nothing for a flag or an unknown option.
_xenmig_optarg()
{
    [[ $2 == -* ]] || return 0
    awk -v opt="$2" '
        /^usage:/ || /^ +-/ {
            for (i = 1; i < NF; i++) {
                w = $i; gsub(/[][]/, "", w); sub(/,$/, "", w)
                a = ($i ~ /,$/ && i + 2 <= NF) ? $(i + 2) : $(i + 1)
                gsub(/[][]/, "", a)
                if (w == opt && a ~ /^[A-Z]+$/) { print a; exit }
            }
        }
    ' <<<"$1"
}

_xenmig()
{
    local cur prev xm cmd i help ref connect=
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    xm=${COMP_WORDS[0]}
    COMPREPLY=()

    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -C|--connect) connect=${COMP_WORDS[i+1]} ;;
            --connect=*) connect=${COMP_WORDS[i]#--connect=} ;;
        esac
        if [[ -z $cmd && ${COMP_WORDS[i]} != -* ]]; then
            cmd=${COMP_WORDS[i]}
        fi
    done

    # 'xenmig help CMD': a command, as after 'xenmig'
    [[ $cmd == help && $COMP_CWORD -eq 2 ]] && cmd=
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W '--help --version' -- "$cur")
        else
            COMPREPLY=($(compgen -W "$("$xm" --help 2>/dev/null | awk '
                /^Commands:/ { c = 1; next }
                c && /^  [a-z]/ { print $1 }
                c && /^$/ { exit }')" -- "$cur"))
        fi
        return 0
    fi

    help=$("$xm" "$cmd" --help 2>/dev/null) || return 0
    ref=$(sed -n "s/.*[Oo]ptions[^.']*'xenmig \([a-z-]*\)'.*/\1/p" \
        <<<"$help" | head -n 1)
    if [[ -n $ref && $ref != "$cmd" ]]; then
        help+=$'\n'$("$xm" "$ref" --help 2>/dev/null)
    fi

    # evacuate's placement policy: its two words
    if [[ $prev == --place ]]; then
        COMPREPLY=($(compgen -W 'spread pack' -- "$cur"))
        return 0
    fi

    # an option's argument (an upper-case word after it in the help):
    # a file name for FILE, else nothing sensible to offer
    case $(_xenmig_optarg "$help" "$prev") in
        FILE) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
        ?*) return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_xenmig_opts "$help" | sort -u)" \
            -- "$cur"))
        return 0
    fi

    # the first argument of a command that takes DOMAIN: a domain name
    if [[ $help == *"] DOMAIN "* || $help == *" DOMAIN DEST"* ]]; then
        local n=0
        for ((i = 1; i < COMP_CWORD; i++)); do
            case ${COMP_WORDS[i]} in
                -*) [[ -n $(_xenmig_optarg "$help" "${COMP_WORDS[i]}") ]] &&
                    ((i++)) ;;
                *) ((n++)) ;;
            esac
        done
        if ((n == 1)); then
            COMPREPLY=($(compgen -W "$(timeout 5 "$xm" list \
                ${connect:+--connect "$connect"} 2>/dev/null |
                awk 'NR > 1 && $1 != "Domain-0" { print $1 }')" \
                -- "$cur"))
            return 0
        fi
    fi
    mapfile -t COMPREPLY < <(compgen -A hostname -- "$cur")
    return 0
} &&
complete -F _xenmig xenmig
