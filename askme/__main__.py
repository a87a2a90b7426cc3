from askme.cli import main

raise SystemExit(main())
