module github.com/nabla-go/nabla/bench/openblas

go 1.26

require (
	github.com/nabla-go/nabla v0.0.0
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/sys v0.46.0 // indirect

replace github.com/nabla-go/nabla => ../..
