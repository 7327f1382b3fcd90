package profiles

// SetBeforeRename lets tests stop ReplaceKey between writing its temporary
// file and renaming it over the original, as a crash would.
func SetBeforeRename(o *ReplaceOptions, f func(tmp string) error) { o.beforeRename = f }
