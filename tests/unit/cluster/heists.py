"""Two jewellery heists in one city, days apart, told with the same words (written by us).

The first report of the second heist joins the first heist's young story; once both have two
reports the engine splits the story. Shared by the engine and service split tests.
"""

RAID = [
    (
        "Jewellery store in central Paris hit by ram raid",
        "Four men rammed a car into a jewellery store in central Paris on Monday and escaped "
        "with watches and rings worth 2.6 million euros, police said. The thieves smashed the "
        "shop window before dawn and fled on scooters towards the ring road.",
    ),
    (
        "Paris jewellery heist: thieves ram car into store window",
        "Police in Paris are hunting four men who drove a car through the window of a "
        "jewellery store on Monday and took goods worth 2.6 million euros. Witnesses said the "
        "raid lasted less than three minutes before the gang fled on scooters.",
    ),
    (
        "Ram raiders take 2.6 million euros of watches from Paris jeweller",
        "A gang of four used a stolen car to smash into a jewellery store in central Paris "
        "early on Monday, police said, taking watches worth 2.6 million euros. The car was "
        "later found burnt out near the ring road.",
    ),
    (
        "Police find burnt-out car used in Paris jewellery ram raid",
        "Investigators said on Monday that the car used to ram a jewellery store in central "
        "Paris had been stolen last week. The four thieves took 2.6 million euros of watches "
        "and escaped on scooters.",
    ),
]
DRAG = [
    (
        "Robbers in wigs steal 80 million euros of jewels from Paris boutique",
        "Armed robbers disguised as women walked into a jewellery boutique in central Paris on "
        "Thursday and took diamonds and watches worth 80 million euros, police said. The gang "
        "threatened staff with a handgun and left through the front door.",
    ),
    (
        "Paris jewellery heist: gang dressed as women takes 80 million euros",
        "Police in Paris said a gang of robbers wearing wigs and dresses stole jewels worth 80 "
        "million euros from a boutique on Thursday. The four men threatened staff with a gun "
        "before walking out calmly.",
    ),
    (
        "Disguised robbers behind one of the biggest jewellery heists in Paris",
        "The robbers who took 80 million euros of diamonds from a central Paris boutique on "
        "Thursday had disguised themselves in wigs and dresses, police said. They held staff "
        "at gunpoint for several minutes.",
    ),
    (
        "Police hunt gang in wigs after 80 million euro Paris diamond robbery",
        "Detectives said on Thursday that the four robbers who raided a Paris jewellery "
        "boutique wore wigs and women's clothes. Diamonds and watches worth 80 million euros "
        "were taken at gunpoint.",
    ),
]


def interleaved() -> list[tuple[str, str, str]]:
    """(id, title, text): r1, d1, r2, d2, ... (ram raid and drag robbery reports in turn)."""
    out = []
    for n, (raid, drag) in enumerate(zip(RAID, DRAG, strict=True), 1):
        out += [(f"r{n}", *raid), (f"d{n}", *drag)]
    return out
