# man/scdoc-tidy.awk -- drops the paragraph macros scdoc writes where no paragraph starts
# scdoc puts `.P` after every heading and before every `.SH` and `.RE`; mandoc -T lint
# warns about each ("skipping paragraph macro"). A `.P` stays only between two blocks
# of text.
{ line[NR] = $0 }
END {
	for (i = 1; i <= NR; i++) {
		if (line[i] == ".P") {
			prev = i > 1 ? line[i - 1] : ""
			next_ = i < NR ? line[i + 1] : ""
			if (prev ~ /^\.(SH|TH|P|RS|RE)( |$)/ || next_ ~ /^\.(SH|RE|P)( |$)/ || next_ == "")
				continue
		}
		print line[i]
	}
}
