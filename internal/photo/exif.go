package photo

import (
	"bytes"
	"encoding/binary"
)

// jpegOrientation returns the EXIF Orientation (1 to 8) of a JPEG, or 1 when
// it has none or it cannot be read. Only that one tag is read: the marker
// segments before the first scan are walked, the first APP1 segment holding
// "Exif\0\0" is taken, and IFD0 of its TIFF structure is searched for tag
// 0x0112. Every offset is checked against the segment's bounds.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no payload
			i += 2
			continue
		case m == 0xD9 || m == 0xDA: // end of image, start of scan
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 1
	}
	count := uint64(bo.Uint16(t[off:]))
	entries := off + 2
	for k := range count {
		e := entries + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		tag := bo.Uint16(t[e:])
		if tag != 0x0112 {
			continue
		}
		typ, n := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if typ != 3 || n != 1 { // one SHORT, stored in the value field
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
