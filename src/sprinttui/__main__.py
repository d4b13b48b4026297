from sprinttui.cli import main

raise SystemExit(main())
