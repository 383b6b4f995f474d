# bash completion for mqbalance(8): options from agent/args.c, interface names
# from /sys/class/net. tests/integration/docs.sh checks it offers every
# option of `mqbalance --help`.
_mqbalance()
{
	local cur prev words cword
	_init_completion || return

	case $prev in
	--interval | -i)
		COMPREPLY=($(compgen -W '0 1 2 5 10' -- "$cur"))
		return
		;;
	--prom-file | -p)
		_filedir prom
		return
		;;
	--config | -c)
		_filedir conf
		return
		;;
	--root)
		_filedir -d
		return
		;;
	--help | -h | --version | -V)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--report --check --watch --apply --dry-run
			--revert --daemon --interval --json --pretty --prom-file --all
			--config --root --verbose --quiet --help --version' -- "$cur"))
		return
	fi
	local ifs=(/sys/class/net/*)
	COMPREPLY=($(compgen -W '${ifs[*]##*/}' -- "$cur"))
} &&
	complete -F _mqbalance mqbalance
