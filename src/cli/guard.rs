#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_a: Args) -> u8 {
    eprintln!("error: `dockprep guard` is not built yet");
    super::exit::USAGE
}
