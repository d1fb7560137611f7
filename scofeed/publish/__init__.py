"""Publishing: `build` wires the stages once (posts -> site -> validate -> here); `output` puts
a build's files into the output folder atomically, `lock` keeps two builds apart, `cache`
remembers what a rebuild can skip, and `rendering` renders what changed, once per post and on
every core when there is much of it.
"""
