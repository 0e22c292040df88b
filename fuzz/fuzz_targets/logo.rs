//! Logo and photo files (PNG, JPEG, SVG): checked into a clear error or a picture that
//! draws, never a panic, never a read of a server file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = declic_messaging::posters::check_image(data);
});
