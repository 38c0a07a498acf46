//! Rebuild the server when the SPA it embeds changes. rust-embed includes each file of
//! `frontend/dist` at compile time, but cargo cannot know about files added later (trunk's hashed
//! names change on every build); watching the directory closes that gap.

fn main() {
    println!("cargo:rerun-if-changed=../frontend/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
