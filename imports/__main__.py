from imports.cli import main

raise SystemExit(main())
