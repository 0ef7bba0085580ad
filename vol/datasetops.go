package vol

import (
	"fmt"

	"github.com/sciswift/sciswift/formats/domain"
)

// dataset returns o's I/O state, or an error when o is no dataset.
func (o *Object) dataset() (*dsIO, error) {
	if o.kind != domain.KindDataset {
		return nil, fmt.Errorf("%w: object %d is a %s, not a dataset", ErrInvalid, o.id, o.kind)
	}
	if o.gone {
		return nil, fmt.Errorf("%w: dataset %d was deleted", ErrNotFound, o.id)
	}
	if o.f.closed {
		return nil, fmt.Errorf("%w: %s is closed", ErrInvalid, o.f.name)
	}
	return o.ds, nil
}

func (o *Object) read(runs []Run, dst []byte) error {
	ds, err := o.dataset()
	if err != nil {
		return err
	}
	return ds.read(runs, dst)
}

func (o *Object) write(runs []Run, src []byte) error {
	ds, err := o.dataset()
	if err != nil {
		return err
	}
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	return ds.write(runs, src)
}

func (o *Object) readVar(runs []Run) ([][]byte, error) {
	ds, err := o.dataset()
	if err != nil {
		return nil, err
	}
	return ds.readVar(runs)
}

func (o *Object) writeVar(runs []Run, elems [][]byte) error {
	ds, err := o.dataset()
	if err != nil {
		return err
	}
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	return ds.writeVar(runs, elems)
}

func (o *Object) setExtent(dims []uint64) error {
	ds, err := o.dataset()
	if err != nil {
		return err
	}
	if err := o.f.checkWritable(); err != nil {
		return err
	}
	return ds.setExtent(dims)
}

func (o *Object) storageSize() (uint64, error) {
	ds, err := o.dataset()
	if err != nil {
		return 0, err
	}
	return ds.storageSize()
}

func (o *Object) bytesStored() (uint64, error) {
	ds, err := o.dataset()
	if err != nil {
		return 0, err
	}
	var total uint64
	err = ds.listChunks(func(_ string, n int64) {
		total += uint64(max(n, 0))
	})
	return total, err
}

func (o *Object) flushDataset() error {
	if _, err := o.dataset(); err != nil {
		return err
	}
	return o.f.flush(o)
}

// datasetDoc is a copy of the dataset's document that the caller may keep,
// without its attributes (Attrs has those).
func (o *Object) datasetDoc() domain.Dataset {
	if o.dset == nil {
		return domain.Dataset{}
	}
	d := *o.dset
	d.Attributes = nil
	d.CPL = clone(d.CPL)
	d.Space.Dims, d.Space.MaxDims = clone(d.Space.Dims), clone(d.Space.MaxDims)
	d.Layout.Chunks, d.Layout.StoredChunks = clone(d.Layout.Chunks), clone(d.Layout.StoredChunks)
	d.Layout.Filters = clone(d.Layout.Filters)
	d.Fill = clone(d.Fill)
	return d
}

func (o *Object) namedTypeDoc() domain.NamedType {
	if o.ntype == nil {
		return domain.NamedType{}
	}
	t := *o.ntype
	t.Attributes = nil
	t.CPL = clone(t.CPL)
	return t
}
