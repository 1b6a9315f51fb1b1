// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, declared here since the 6.12 module! macro has
 * none. Read by rust/ffi/param.rs.
 */
#include "../ffi/bindings_helper.h"

int mrc_param_family = AF_MRC_DEFAULT;
module_param_named(family, mrc_param_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_MRC (default "
		 __stringify(AF_MRC_DEFAULT) "; must be free and below AF_MAX)");
