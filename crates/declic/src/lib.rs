//! declic
